import CoreMetrics
import LedgerCore
import LedgerStore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seed 003's one-file ledger (`AGI_LEDGER_PATH=/path/ledger.jsonl`): every event's line is also
/// appended to this file, after it is written to its agent's day file.
///
/// The file rotates daily: before the first write of a day, a file last written on an earlier day
/// (by its modification time, in the ledger's zone) is renamed to `<stem>.YYYY-MM-DD.jsonl` beside
/// it, so `ledger.jsonl` holds today and `ledger.2025-11-16.jsonl` that day, ready for archiving.
/// The rename is a hard link then an unlink, so it never replaces a file, and a process still holding
/// the old file open keeps writing into the rotated one; it notices and opens the new file on its
/// next batch.
final class CompatibilityFile: Sendable {
    let path: String
    let fsync: FsyncPolicy
    let timeZone: LedgerTimeZone
    let timeSource: any TimeSource
    private let state = Mutex<(fd: Int32, day: CivilDate?)>((-1, nil))
    /// Writes that failed: a batch (async mode) or an event (sync mode) missing from the file.
    let failures = Atomic<UInt64>(0)
    private let failureCounter: Counter?

    init(
        path: String,
        fsync: FsyncPolicy,
        timeZone: LedgerTimeZone = .system,
        timeSource: any TimeSource,
        failureCounter: Counter? = nil
    ) {
        self.failureCounter = failureCounter
        self.path = path
        self.fsync = fsync
        self.timeZone = timeZone
        self.timeSource = timeSource
    }

    deinit {
        state.withLock { if $0.fd >= 0 { close($0.fd) } }
    }

    /// The name a day's content gets: `<stem>.YYYY-MM-DD.jsonl` beside the file.
    static func rotatedPath(_ path: String, day: CivilDate) -> String {
        let stem = path.hasSuffix(".jsonl") ? String(path.dropLast(6)) : path
        return "\(stem).\(day).jsonl"
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        let today = timeZone.localDate(of: timeSource.now())
        let ok = state.withLock { s -> Bool in
            // The day of what the open file holds, when it is still the file at the path.
            var writtenDay: CivilDate?
            if s.fd >= 0 && (s.day != today || !FileSystem.isStillAtPath(s.fd, path)) {
                if s.day != today && FileSystem.isStillAtPath(s.fd, path) { writtenDay = s.day }
                close(s.fd)
                s.fd = -1
            }
            if s.fd < 0 {
                do throws(LedgerError) {
                    try FileSystem.makeDirectories(FileSystem.parentPath(path))
                    try rotateIfOlder(than: today, writtenOn: writtenDay)
                    s.fd = try FileSystem.openForAppend(path)
                    s.day = today
                } catch {
                    return false
                }
            }
            if FileSystem.writeAll(s.fd, bytes).errno != nil { return false }
            if fsync != .none { _ = Glibc.fsync(s.fd) }
            return true
        }
        if !ok {
            failures.add(1, ordering: .relaxed)
            failureCounter?.increment()
        }
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Moves the file aside when it was last written before `today`: on `writtenOn` when this process
    /// wrote it, else on the day of its modification time.
    private func rotateIfOlder(than today: CivilDate, writtenOn: CivilDate?) throws(LedgerError) {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size > 0 else { return }
        let modified = Timestamp(nanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
        let day = writtenOn ?? timeZone.localDate(of: modified)
        guard day < today else { return }
        let target = Self.rotatedPath(path, day: day)
        if link(path, target) == 0 {
            if unlink(path) != 0 && errno != ENOENT { throw FileSystem.error("rotate", path: path, errno: errno) }
            return
        }
        let code = errno
        // Another process rotated it first: the file at the path is already a new one, or gone.
        if code == ENOENT { return }
        guard code == EEXIST else { throw FileSystem.error("rotate", path: path, errno: code) }
        // That day was rotated before (the clock went back, say): add to it rather than replace it.
        let content = try FileSystem.readFile(path)
        let fd = try FileSystem.openForAppend(target)
        defer { close(fd) }
        if let e = content.withUnsafeBytes({ FileSystem.writeAll(fd, $0) }).errno {
            throw FileSystem.error("append to", path: target, errno: e)
        }
        if unlink(path) != 0 && errno != ENOENT { throw FileSystem.error("rotate", path: path, errno: errno) }
    }
}
