import Dispatch
import LedgerCore
import Synchronization

/// Runs a ``DayArchiver`` off the caller's threads: on a serial Dispatch queue of its own, so the
/// blocking reads, compression and fsyncs of a large day never hold a thread of Swift's shared
/// pool (where the writers run). One run at a time; cancelling the awaiting task stops the run
/// between two chunks and rolls back the file in progress.
public actor Archiver {
    public let archiver: DayArchiver
    private let queue = DispatchQueue(label: "agent-ledger.archiver", qos: .utility)
    /// The report of the last finished run.
    public private(set) var lastReport: ArchiveReport?

    public init(_ archiver: DayArchiver) {
        self.archiver = archiver
    }

    private final class StopFlag: Sendable {
        let stop = Atomic<Bool>(false)
    }

    /// Archives for `today` (in the ledger's zone) and returns what was done.
    public func run(today: CivilDate) async -> ArchiveReport {
        let flag = StopFlag()
        var archiver = self.archiver
        let previous = archiver.shouldStop
        archiver.shouldStop = { flag.stop.load(ordering: .relaxed) || previous?() == true }
        let job = archiver
        let report = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<ArchiveReport, Never>) in
                queue.async { c.resume(returning: job.run(today: today)) }
            }
        } onCancel: {
            flag.stop.store(true, ordering: .relaxed)
        }
        lastReport = report
        return report
    }
}
