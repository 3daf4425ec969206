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
    /// How long a rotation waits for another process's lock on the folder.
    let lockTimeout: Double
    let timeZone: LedgerTimeZone
    let timeSource: any TimeSource
    private let state = Mutex<(fd: Int32, day: CivilDate?)>((-1, nil))
    /// Writes that failed: a batch (async mode) or an event (sync mode) missing from the file.
    let failures = Atomic<UInt64>(0)
    private let failureCounter: Counter?

    init(
        path: String,
        fsync: FsyncPolicy,
        lockTimeout: Double = DayFileWriter.defaultLockTimeout,
        timeZone: LedgerTimeZone = .system,
        timeSource: any TimeSource,
        failureCounter: Counter? = nil
    ) {
        self.failureCounter = failureCounter
        self.path = path
        self.fsync = fsync
        self.lockTimeout = lockTimeout
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
            // The day of what the open file holds, and which file that is.
            var written: Written?
            if s.fd >= 0 && (s.day != today || !FileSystem.isStillAtPath(s.fd, path)) {
                var st = stat()
                if s.day != today, let day = s.day, fstat(s.fd, &st) == 0 {
                    written = Written(day: day, device: st.st_dev, inode: st.st_ino)
                }
                close(s.fd)
                s.fd = -1
            }
            if s.fd < 0 {
                do throws(LedgerError) {
                    try FileSystem.makeDirectories(FileSystem.parentPath(path))
                    try rotateIfOlder(than: today, written: written)
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

    /// The day this process last wrote the file on, and which file (device and inode) it wrote.
    struct Written {
        var day: CivilDate
        var device: dev_t
        var inode: ino_t
    }

    /// Moves the file aside when it was last written before `today`: on the day this process wrote it
    /// (when the file at the path is still the one it wrote), else on the day of its modification time.
    ///
    /// Under an exclusive `flock` on the folder, shared by every process writing the file: at midnight
    /// each of them sees yesterday's file, and only the first moves it. The others find the file at the
    /// path new, or gone, and leave it. Without the lock, a second process could take the first's new
    /// file for yesterday's and move today's lines aside. Where the folder cannot be locked (a file
    /// system without `flock`), the file is moved without it; a lock held past ``lockTimeout`` fails the
    /// write (counted) and the next batch tries again.
    func rotateIfOlder(than today: CivilDate, written: Written?) throws(LedgerError) {
        let folder = open(FileSystem.parentPath(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if folder >= 0 { close(folder) } }
        if folder >= 0 {
            do throws(LedgerError) {
                try FileSystem.lock(folder, path: FileSystem.parentPath(path), waitingAtMost: lockTimeout)
            } catch {
                if error.code == .locked { throw error }
            }
        }
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size > 0 else { return }
        let modified = Timestamp(nanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
        let day: CivilDate
        if let written, written.device == st.st_dev, written.inode == st.st_ino {
            day = written.day
        } else {
            day = timeZone.localDate(of: modified)
        }
        guard day < today else { return }
        let target = Self.rotatedPath(path, day: day)
        if link(path, target) == 0 {
            try FileSystem.remove(path)
            return
        }
        let code = errno
        // Another process rotated it first: the file at the path is already a new one, or gone.
        if code == ENOENT { return }
        guard code == EEXIST else { throw FileSystem.error("rotate", path: path, errno: code) }
        // Moved aside already, by a process stopped between the link and the unlink: finish the move.
        var aside = stat()
        if lstat(target, &aside) == 0 && aside.st_dev == st.st_dev && aside.st_ino == st.st_ino {
            try FileSystem.remove(path)
            return
        }
        // That day was rotated before (the clock went back, say): add to it rather than replace it.
        let content = try FileSystem.readFile(path)
        let fd = try FileSystem.openForAppend(target)
        defer { close(fd) }
        if let e = content.withUnsafeBytes({ FileSystem.writeAll(fd, $0) }).errno {
            throw FileSystem.error("append to", path: target, errno: e)
        }
        try FileSystem.remove(path)
    }
}
