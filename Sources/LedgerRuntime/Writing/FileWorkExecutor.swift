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

/// Runs tasks' own code on a serial dispatch queue instead of the shared concurrency pool.
///
/// For the drains that `flush` and `shutdown` start when `run()` is not running: their callers wait
/// for them against a deadline, and a drain that waited for a pool thread (on a machine whose pool is
/// busy with the program's own work) would miss it. Their writes run on the flusher's
/// ``FileWorkExecutor``; what runs here only takes batches and waits, so one queue serves them all.
final class DrainExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `DispatchQueue` is thread-safe; it is not marked Sendable on every platform.
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}
