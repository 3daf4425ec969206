import Dispatch

/// Runs an actor's jobs on a serial dispatch queue of its own instead of the shared concurrency pool.
///
/// The ledger's writers make blocking system calls (`write`, `fsync`, `flock`). On a disk that
/// hangs (a dead network mount, a stuck device) each such call holds its thread until the disk
/// answers. The shared pool has one thread per core: a few stuck writers would hold all of them,
/// and every task in the program (the caller's own work, the deadline of `shutdown`) would stop.
/// A serial queue targets dispatch's overcommitting pool, which starts another thread when its
/// threads are blocked, so a stuck write holds only the thread it is on.
final class FileWorkExecutor: SerialExecutor, @unchecked Sendable {
    // @unchecked: `DispatchQueue` is thread-safe; it is not marked Sendable on every platform.
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async {
            job.runSynchronously(on: self.asUnownedSerialExecutor())
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
