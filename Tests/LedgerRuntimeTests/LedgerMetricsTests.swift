import LedgerCore
import LedgerRuntime
import LedgerStore
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

    /// The copies (the one-file ledger and the global stream) failing is reported, not silent: in the
    /// statistics and as metrics, while the agents' files are written as usual.
    @Test(arguments: [true, false])
    func failedWritesOfTheCopiesAreCountedAndReported(async: Bool) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // A plain file where the one-file ledger's folder and the global stream's folder should be.
        try FileSystem.writeAtomically(Array("not a folder\n".utf8), to: dir.join("memory"))
        try FileSystem.makeDirectories(dir.join("state"))
        try FileSystem.writeAtomically(Array("not a folder\n".utf8), to: dir.join("state/events"))
        let metrics = TestMetrics()
        let ledger = try Ledger(
            configuration: asyncConfig(dir.path) {
                $0.async = async
                $0.ledgerPath = dir.join("memory/resonance_ledger.jsonl")
                $0.globalEvents = true
            },
            metricsFactory: metrics
        )
        for i in 0..<5 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        _ = await ledger.shutdown()
        let s = await ledger.statistics()
        #expect(s.written == 5)
        #expect(s.dropped == 0)
        #expect(s.ledgerPathWriteErrors >= 1)
        #expect(s.globalStreamWriteErrors >= 1)
        #expect(
            try metrics.expectCounter("agent_ledger_copy_write_errors_total", [("copy", "ledger_path")]).totalValue
                == Int64(s.ledgerPathWriteErrors)
        )
        #expect(
            try metrics.expectCounter("agent_ledger_copy_write_errors_total", [("copy", "global_stream")]).totalValue
                == Int64(s.globalStreamWriteErrors)
        )
        let layout = LedgerLayout(root: dir.path)
        var lines = 0
        for day in layout.days(agent: "cls") {
            lines += try TestEvents.lines(layout.dayFile(agent: "cls", date: day)).count
        }
        #expect(lines == 5)
    }
}
