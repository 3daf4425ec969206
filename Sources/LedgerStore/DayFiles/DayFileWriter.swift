import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A write that stopped part way: the whole lines before `completedBytes` are in the file, the rest are not.
public struct AppendFailure: Error, Sendable {
    /// How many bytes from the start of the batch are in the file as complete lines.
    public var completedBytes: Int
    public var error: LedgerError
}

/// Appends batches of lines to one folder of day files (an agent's ledger, its command chronicle, …).
///
/// Owns the open file of the current day; a batch for a new day closes it and opens the next,
/// a late batch for an earlier day opens that day's file just for the write. Files are opened
/// with `O_APPEND` and written with one `write` per batch under an exclusive `flock`, so processes
/// appending to the same file never interleave lines. The lock is waited for at most ``lockTimeout``
/// (``heldLockWait`` once a wait ran out, until an append gets it): a process that holds it for good
/// makes the append fail (`locked`), never hang. A file whose last
/// byte is not `\n` (a crash mid-write, a full disk) is sealed with a `\n` before the next write, so
/// the next line starts clean.
///
/// Not thread-safe: one owner at a time (an actor, or a lock in sync mode).
public final class DayFileWriter {
    /// The folder of the day files: `YYYY-MM-DD.jsonl` in it, one per day.
    public let directory: String
    /// The ledger root `directory` is inside: every folder below it is opened without following
    /// symbolic links, and made when missing. `nil` for a folder outside any ledger root.
    public let root: String?
    public let fsyncPolicy: FsyncPolicy
    /// How long an append waits for the file's lock while another process holds it, in seconds;
    /// then it fails with `locked` and writes nothing (see ``FileSystem/lock(_:path:waitingAtMost:)``).
    public let lockTimeout: Double
    /// The default ``lockTimeout``: far longer than any append holds the lock.
    public static let defaultLockTimeout: Double = 1
    /// How long appends wait for the lock after one ran out its wait, until one gets it: a lock held
    /// for good costs the owner (and whoever waits for it: every agent of a batch, every sync caller)
    /// the full wait once, not at every append.
    public static let heldLockWait: Double = 0.01
    /// The last append ran out its wait for the lock, and none has had it since.
    private var lockHeldElsewhere = false

    private var currentDate: CivilDate?
    private var fd: Int32 = -1
    private var path = ""
    /// A short write left a partial line at the end of `path`; seal it before writing again.
    private var needsSeal = false
    /// The size of the open file after this writer's last write, or -1. While the file still has that
    /// size nobody else has written to it, so its tail is known to be whole and is not read back.
    private var knownEnd: off_t = -1
    /// When the open file was last compared with the file at its path (monotonic nanoseconds).
    private var pathCheckedAt: UInt64 = 0
    /// How often the open file is compared with the file at its path (a path lookup): a removed file
    /// is seen at once (its link count is 0), a file renamed away and replaced within this time.
    static let pathCheckInterval: UInt64 = 100_000_000
    /// How many torn tails this writer has sealed.
    public private(set) var sealedTornTails = 0
    /// How many times the open file had gone from its path (deleted, or its folder) and was opened anew.
    public private(set) var reopenedFiles = 0

    /// Injected faults, for tests; `nil` in production.
    let faults: (any WriteFaults)?

    /// A writer of an agent's day files, `g/ledger/<agent>/YYYY-MM-DD.jsonl`.
    public convenience init(
        layout: LedgerLayout,
        agent: String,
        fsyncPolicy: FsyncPolicy,
        lockTimeout: Double = defaultLockTimeout,
        faults: (any WriteFaults)? = nil
    ) {
        self.init(
            directory: layout.agentDirectory(agent),
            under: layout.root,
            fsyncPolicy: fsyncPolicy,
            lockTimeout: lockTimeout,
            faults: faults
        )
    }

    /// A writer of the day files `<directory>/YYYY-MM-DD.jsonl` (an agent's command chronicle, the
    /// global event stream): the same append-only rules as an agent's ledger.
    public init(
        directory: String,
        under root: String?,
        fsyncPolicy: FsyncPolicy,
        lockTimeout: Double = defaultLockTimeout,
        faults: (any WriteFaults)? = nil
    ) {
        self.directory = directory
        self.root = root
        self.fsyncPolicy = fsyncPolicy
        self.lockTimeout = lockTimeout
        self.faults = faults
    }

    /// The day file of `date`.
    public func dayFile(for date: CivilDate) -> String { "\(directory)/\(date).jsonl" }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    /// The date of the open day file, if one is open.
    public var openDate: CivilDate? { fd >= 0 ? currentDate : nil }

    /// Appends complete lines (each ending in `\n`) to the day file of `date`.
    ///
    /// - Throws: ``AppendFailure`` saying how much of the batch is safely in the file.
    public func append(_ bytes: UnsafeRawBufferPointer, date: CivilDate) throws(AppendFailure) {
        guard bytes.count > 0 else { return }
        if fd >= 0 && date == currentDate && !openFileIsStillAtPath() {
            // The file or its folder was removed or replaced under us: writing on would go to an
            // unlinked file that nobody can read. Start over at the path.
            reopenedFiles += 1
            close()
        }
        if date != currentDate || fd < 0 {
            if let currentDate, date < currentDate, fd >= 0 {
                try appendLate(bytes, date: date)
                return
            }
            close()
            do throws(LedgerError) {
                try open(date: date)
            } catch {
                throw AppendFailure(completedBytes: 0, error: error)
            }
        }
        if try !write(bytes, to: fd, path: path, needsSeal: &needsSeal, knownEnd: &knownEnd) {
            // The archiver took the file between our open and our lock: write to a new one at the path.
            reopenedFiles += 1
            close()
            do throws(LedgerError) {
                try open(date: date)
            } catch {
                throw AppendFailure(completedBytes: 0, error: error)
            }
            guard try write(bytes, to: fd, path: path, needsSeal: &needsSeal, knownEnd: &knownEnd) else {
                throw AppendFailure(
                    completedBytes: 0,
                    error: LedgerError(.io, "\(path) was removed again right after it was created; retrying later")
                )
            }
        }
        if fsyncPolicy != .none {
            do throws(LedgerError) { try FileSystem.sync(fd, path: path) } catch {
                throw AppendFailure(completedBytes: bytes.count, error: error)
            }
        }
    }

    /// Appends an array of complete lines; see ``append(_:date:)``.
    public func append(_ bytes: [UInt8], date: CivilDate) throws(AppendFailure) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(AppendFailure) in try append(raw, date: date) }
        }
        try result.get()
    }

    /// fsyncs the open file.
    public func sync() throws(LedgerError) {
        if fd >= 0 { try FileSystem.sync(fd, path: path) }
    }

    /// Closes the open day file.
    public func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
        currentDate = nil
        needsSeal = false
        knownEnd = -1
    }

    private func open(date: CivilDate) throws(LedgerError) {
        let dir = directory
        if root == nil { try FileSystem.makeDirectories(dir) }
        let p = dayFile(for: date)
        let created = !FileSystem.exists(p)
        let newFD = try FileSystem.openForAppend(p, under: root)
        if created && fsyncPolicy == .always {
            try? FileSystem.syncDirectory(dir)
        }
        fd = newFD
        path = p
        currentDate = date
        needsSeal = false
        knownEnd = -1
        pathCheckedAt = MonotonicClock.nanoseconds()
    }

    private func appendLate(_ bytes: UnsafeRawBufferPointer, date: CivilDate) throws(AppendFailure) {
        let p = dayFile(for: date)
        var attempts = 0
        while true {
            let lateFD: Int32
            do throws(LedgerError) {
                if root == nil { try FileSystem.makeDirectories(directory) }
                lateFD = try FileSystem.openForAppend(p, under: root)
            } catch {
                throw AppendFailure(completedBytes: 0, error: error)
            }
            defer { Glibc.close(lateFD) }
            var seal = false
            var end: off_t = -1
            // A day that is being archived: its file may be removed between our open and our lock.
            guard try write(bytes, to: lateFD, path: p, needsSeal: &seal, knownEnd: &end) else {
                attempts += 1
                if attempts < 3 { continue }
                throw AppendFailure(
                    completedBytes: 0,
                    error: LedgerError(.io, "\(p) kept being removed while a late batch was written; retrying later")
                )
            }
            if fsyncPolicy != .none {
                do throws(LedgerError) { try FileSystem.sync(lateFD, path: p) } catch {
                    throw AppendFailure(completedBytes: bytes.count, error: error)
                }
            }
            return
        }
    }

    /// Writes a batch under an exclusive `flock`, sealing a torn tail first.
    ///
    /// The lock makes the tail check and the write one step for every process that writes the file
    /// through the ledger: a tail is only ever seen torn when a writer really stopped part way (a crash,
    /// a full disk), never because another process's write is still in progress. The last byte is read
    /// back only when the file is not the size this writer left it at (`knownEnd`). The archiver takes
    /// the same lock, so a file it archived and removed is seen here and nothing is written to it.
    ///
    /// - Returns: `false`, having written nothing, when the file was removed before the lock was had.
    private func write(
        _ bytes: UnsafeRawBufferPointer,
        to fd: Int32,
        path: String,
        needsSeal: inout Bool,
        knownEnd: inout off_t
    ) throws(AppendFailure) -> Bool {
        do throws(LedgerError) {
            let wait = lockHeldElsewhere ? min(lockTimeout, Self.heldLockWait) : lockTimeout
            try FileSystem.lock(fd, path: path, waitingAtMost: wait)
            lockHeldElsewhere = false
        } catch {
            if error.code == .locked { lockHeldElsewhere = true }
            throw AppendFailure(completedBytes: 0, error: error)
        }
        defer { flock(fd, LOCK_UN) }
        // Size and links only: asking for the times would make this append dirty the inode (see FileSystem.status).
        let status = FileSystem.status(of: fd)
        var size: off_t = status.map { off_t($0.size) } ?? -1
        if let status, status.links == 0 { return false }
        let end = knownEnd
        knownEnd = -1
        if needsSeal || size < 0 || (size != end && !Self.endsWithNewline(fd: fd, size: size)) {
            var nl = UInt8(ascii: "\n")
            let sealed = withUnsafeBytes(of: &nl) { FileSystem.writeAll(fd, $0) }
            if let code = sealed.errno {
                needsSeal = true
                throw AppendFailure(
                    completedBytes: 0,
                    error: FileSystem.error("seal torn tail of", path: path, errno: code)
                )
            }
            needsSeal = false
            sealedTornTails += 1
            if size >= 0 { size += 1 }
        }
        var result: (written: Int, errno: Int32?)
        if let injected = faults?.fault(path: path, bytes: bytes.count) {
            let first = min(injected.writtenFirst, bytes.count)
            let partial = FileSystem.writeAll(fd, UnsafeRawBufferPointer(rebasing: bytes[0..<first]))
            result = (partial.written, partial.errno ?? injected.errno)
        } else {
            result = FileSystem.writeAll(fd, bytes)
        }
        guard let code = result.errno else {
            if size >= 0 { knownEnd = size + off_t(bytes.count) }
            return true
        }
        // Keep the whole lines that made it; a partial line is sealed before the next write
        // and written again whole, so it never glues onto the next line.
        var complete = result.written
        while complete > 0 && bytes[complete - 1] != UInt8(ascii: "\n") { complete -= 1 }
        if complete < result.written { needsSeal = true }
        throw AppendFailure(completedBytes: complete, error: FileSystem.error("append to", path: path, errno: code))
    }

    /// Whether the open descriptor is still the file at `path`, by a look at the path at most every
    /// ``pathCheckInterval`` (a file renamed away or replaced). A removed file, or a file in a removed
    /// folder, is seen at every write: the status read under the lock finds no links left.
    private func openFileIsStillAtPath() -> Bool {
        let now = MonotonicClock.nanoseconds()
        guard now &- pathCheckedAt >= Self.pathCheckInterval else { return true }
        pathCheckedAt = now
        return FileSystem.isStillAtPath(fd, path)
    }

    /// Whether an open file of `size` bytes is empty or ends with `\n`.
    static func endsWithNewline(fd: Int32, size: off_t) -> Bool {
        guard size > 0 else { return true }
        var last: UInt8 = 0
        let n = pread(fd, &last, 1, size - 1)
        return n != 1 || last == UInt8(ascii: "\n")
    }
}
