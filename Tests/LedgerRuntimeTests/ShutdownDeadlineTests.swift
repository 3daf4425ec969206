import LedgerCore
import LedgerStore
import LedgerTestSupport
import Synchronization
import Testing

@testable import LedgerRuntime

#if canImport(Glibc)
import Glibc
#endif

/// A disk whose writes hang until the test lets them go.
final class StuckWrites: WriteFaults {
    private let released = Atomic<Bool>(false)
    func release() { released.store(true, ordering: .releasing) }
    func fault(path: String, bytes: Int) -> (errno: Int32, writtenFirst: Int)? {
        while !released.load(ordering: .acquiring) { usleep(10_000) }
        return nil
    }
}

@Suite struct ShutdownDeadlineTests {
    /// A batch still being written when the deadline passes is neither written nor dropped yet: the
    /// report counts it as not written, the statistics show it in flight (every event is accounted
    /// for), and neither they nor a flush with a deadline wait for the stuck write.
    @Test func aBatchStillBeingWrittenAtTheDeadlineIsReported() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let disk = StuckWrites()
        defer { disk.release() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path), faults: disk)
        let runner = Task { try await ledger.run() }
        for _ in 0..<6000 where !ledger.control.withLock({ $0.runnerActive }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(ledger.control.withLock { $0.runnerActive })
        for i in 0..<100 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        // A flush with a deadline returns at it, without the events, while the write is stuck.
        #expect(await ledger.flush(timeout: 0.5) == false)
        let report = await ledger.shutdown(timeout: 0.5)
        #expect(!report.complete)
        #expect(report.lost == 100)
        let s = report.statistics
        #expect(s.accepted == 100)
        #expect(s.written == 0)
        #expect(s.written + s.dropped + UInt64(s.queueDepth + s.pendingRetry + s.inFlight) == 100)
        disk.release()
        _ = try? await runner.value
    }
}
