public import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock`) on one file, shared by every process that writes the ledger.
///
/// The file lives in the repository's common git folder (`git rev-parse --git-common-dir`), so every
/// worktree and every process of one repository meet on the same lock. It is not a PID file: the
/// kernel releases the lock when its holder exits or crashes, so a dead writer never blocks the next.
///
/// Waiting polls with a short sleep rather than blocking in `flock`, so a waiting task never holds one
/// of the few threads of Swift's cooperative pool.
public final class LedgerLock: Sendable {
    /// The lock file's path.
    public let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// Waits until the lock at `path` is free, takes it, and returns it; call ``release()`` when done.
    ///
    /// - Parameters:
    ///   - path: the lock file; created if missing.
    ///   - timeout: how long to wait, in seconds, before giving up.
    /// - Throws: ``LedgerError/Code/lockTimeout`` after `timeout`; ``LedgerError/Code/io`` when the
    ///   file cannot be opened.
    public static func acquire(path: String, timeout: Double) async throws(LedgerError) -> LedgerLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let e = errno
            throw LedgerError(
                .io,
                "cannot open the ledger lock file \(path)",
                cause: String(cString: strerror(e)),
                errno: e
            )
        }
        var waitedNanoseconds: UInt64 = 0
        var pause: UInt64 = 1_000_000
        let limit = UInt64(max(0, timeout) * 1e9)
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return LedgerLock(path: path, fd: fd) }
            let e = errno
            guard e == EWOULDBLOCK || e == EINTR else {
                close(fd)
                throw LedgerError(.io, "cannot lock \(path)", cause: String(cString: strerror(e)), errno: e)
            }
            if waitedNanoseconds >= limit {
                close(fd)
                throw LedgerError(
                    .lockTimeout,
                    "another process has held the ledger lock \(path) for over \(timeout) s; try again, or find the stuck process with `fuser \(path)`"
                )
            }
            do {
                try await Task.sleep(nanoseconds: pause)
            } catch {
                close(fd)
                throw LedgerError(.lockTimeout, "gave up waiting for the ledger lock \(path): the task was cancelled")
            }
            waitedNanoseconds += pause
            pause = min(pause * 2, 20_000_000)
        }
    }

    /// Releases the lock. Closing the descriptor is what releases an `flock`.
    public func release() {
        close(fd)
    }
}
