import LedgerCore
import LedgerRuntime
import LedgerTestSupport
import MetricsTestKit
import Testing

@Suite struct LedgerMetricsTests {
    @Test func batchesReportAcceptedDroppedWrittenAndWriteErrors() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let metrics = TestMetrics()
        let ledger = try Ledger(
            configuration: asyncConfig(dir.path) {
                $0.bufferSize = 100
                $0.overflow = .dropNewest
            },
            metricsFactory: metrics,
            faults: FailingWrites(count: 1)
        )
        for i in 0..<150 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        #expect(await ledger.flush(timeout: 120))
        _ = await ledger.shutdown()
        #expect(try metrics.expectCounter("agent_ledger_events_accepted_total").totalValue == 100)
        #expect(
            try metrics.expectCounter("agent_ledger_events_dropped_total", [("reason", "queue_full")]).totalValue == 50
        )
        #expect(try metrics.expectCounter("agent_ledger_events_written_total").totalValue == 100)
        #expect(try metrics.expectCounter("agent_ledger_write_errors_total").totalValue == 1)
        #expect(try metrics.expectRecorder("agent_ledger_batch_size").values.reduce(0, +) == 100)
        #expect(try metrics.expectTimer("agent_ledger_flush_duration").values.count >= 1)
    }
}
