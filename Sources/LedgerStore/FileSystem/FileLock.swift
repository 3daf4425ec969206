import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a lock file, shared by every process that uses the same path.
///
/// Held for short read-modify-write steps (a status file, a session counter); released when the
/// step ends or when the process dies, so a crash never leaves it stuck. A process that holds it
/// for good (stopped in the middle of its step) makes the others wait a bounded time and fail with
/// `locked`, never hang.
public enum FileLock {
    /// How long ``withLock(path:under:waitingAtMost:_:)`` waits by default: far longer than any step holds it.
    public static let defaultWait: Double = 10

    /// Runs `body` while holding the lock at `path`, waiting at most `seconds` for another holder to let go.
    ///
    /// - Parameter root: the ledger root `path` lies under: no folder below it is followed through a
    ///   symlink (see ``FileSystem/openDirectory(_:under:)``).
    /// - Throws: `locked` when the wait ran out; whatever `body` throws.
    public static func withLock<T>(
        path: String,
        under root: String,
        waitingAtMost seconds: Double = defaultWait,
        _ body: () throws(LedgerError) -> T
    ) throws(LedgerError) -> T {
        let dir = try FileSystem.openDirectory(FileSystem.parentPath(path), under: root)
        let fd = openat(dir, FileSystem.baseName(path), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        close(dir)
        guard fd >= 0 else { throw FileSystem.error("open lock file", path: path, errno: errno) }
        defer { close(fd) }
        try FileSystem.lock(fd, path: path, waitingAtMost: seconds)
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
