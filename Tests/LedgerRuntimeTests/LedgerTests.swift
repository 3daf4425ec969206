import LedgerCore
import LedgerRuntime
import LedgerStore
import LedgerTestSupport
import Testing

import class Foundation.Thread

func asyncConfig(_ root: String, _ change: (inout LedgerConfiguration) -> Void = { _ in }) -> LedgerConfiguration {
    var c = LedgerConfiguration()
    c.root = root
    c.async = true
    c.timeZone = "+07:00"
    // A generous deadline for flush and shutdown: the suite runs many tests at once on few cores,
    // and a test must not fail because its task waited for a thread. Tests of the deadline set their own.
    c.shutdownTimeout = 300
    // Tests write events of a fixed day in 2025 and read the plain day files back: the archiver
    // would take them away. Tests of archiving turn it on.
    c.archive = false
    change(&c)
    return c
}

/// Every event line of an agent's day files.
func ledgerEvents(_ root: String, _ agent: String) throws -> [LedgerEvent] {
    try LedgerReader(layout: LedgerLayout(root: root)).events(agent: agent).events
}

@Suite struct LedgerTests {
    @Test func asyncEmitsAreAllWrittenAfterFlush() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (_, report) = try await Ledger.withLedger(configuration: asyncConfig(dir.path) { $0.batchSize = 100 }) {
            ledger async throws in
            for i in 0..<3000 {
                ledger.emit("info", agent: ["cls", "andy", "kim"][i % 3], data: ["seq": .int(Int64(i))])
            }
            #expect(await ledger.flush())
            #expect(try ledgerEvents(dir.path, "cls").count == 1000)
            for i in 0..<30 { ledger.agent("andy").heartbeat(data: ["n": .int(Int64(i))]) }
        }
        #expect(report.complete)
        #expect(report.lost == 0)
        #expect(report.statistics.accepted == 3030)
        #expect(report.statistics.written == 3030)
        for (agent, count) in [("cls", 1000), ("andy", 1030), ("kim", 1000)] {
            let events = try ledgerEvents(dir.path, agent)
            #expect(events.count == count)
            // Per-agent order is the emit order.
            let seqs = events.compactMap { $0.data["seq"]?.intValue }
            #expect(seqs == seqs.sorted())
        }
        #expect(try StatusStore(layout: LedgerLayout(root: dir.path)).read(agent: "andy")?.lastHeartbeat != nil)
    }

    @Test func syncModeWritesBeforeEmitReturns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var c = asyncConfig(dir.path)
        c.async = false
        let ledger = try Ledger(configuration: c)
        #expect(ledger.emit("task_start", agent: "cls", taskID: "wo-1"))
        #expect(try ledgerEvents(dir.path, "cls").map(\.type) == ["task_start"])
        let report = await ledger.shutdown()
        #expect(report.complete)
        #expect(try StatusStore(layout: LedgerLayout(root: dir.path)).read(agent: "cls")?.state == .busy)
    }

    @Test func invalidEventsAreRefusedAndCountedNeverThrown() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path))
        #expect(!ledger.emit("info", agent: "../escape"))
        #expect(!ledger.emit("info", agent: "cls", data: ["x": .double(.nan)]))
        #expect(!ledger.emit("Not A Type", agent: "cls"))
        #expect(ledger.rejectedCount == 3)
        #expect(ledger.lastRejectionReason?.code == .invalidEventType)
        _ = await ledger.shutdown()
        #expect(!FileSystem.exists(dir.join("g")))
    }

    @Test func anOversizedEventIsRefusedNotCountedAsADrop() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path) { $0.maxEventBytes = 4096 })
        let big = String(repeating: "x", count: 10_000)
        #expect(!ledger.emit("info", agent: "cls", summary: big))
        #expect(
            await ledger.emitWaiting(LedgerEvent(timestamp: .now, agent: "cls", type: "info", summary: big)) == false
        )
        #expect(ledger.rejectedCount == 2)
        #expect(ledger.lastRejectionReason?.code == .eventTooLarge)
        let report = await ledger.shutdown()
        #expect(report.statistics.dropped == 0)
    }

    @Test func shutdownIsIdempotentAndLaterEmitsAreRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path))
        ledger.emit("info", agent: "cls")
        let first = await ledger.shutdown()
        let second = await ledger.shutdown()
        #expect(first == second)
        #expect(first.statistics.written == 1)
        #expect(!ledger.emit("info", agent: "cls"))
        #expect(try ledgerEvents(dir.path, "cls").count == 1)
    }

    @Test func dropNewestCountsDropsAndWritesThemIntoTheLedger() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(
            configuration: asyncConfig(dir.path) {
                $0.bufferSize = 10
                $0.overflow = .dropNewest
            }
        )
        // No runner: the queue fills up.
        var accepted = 0
        for i in 0..<100 where ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) { accepted += 1 }
        #expect(accepted == 10)
        let report = await ledger.shutdown()
        #expect(report.statistics.droppedQueueFull == 90)
        let events = try ledgerEvents(dir.path, "cls")
        #expect(events.filter { $0.type == "info" }.compactMap { $0.data["seq"]?.intValue } == Array(0..<10))
        let notice = try #require(events.first { $0.type == "ledger.dropped" })
        #expect(notice.data["dropped"] == .int(90))
        #expect(notice.data["reason"] == "queue_full")
    }

    @Test func dropOldestKeepsTheNewest() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(
            configuration: asyncConfig(dir.path) {
                $0.bufferSize = 10
                $0.overflow = .dropOldest
            }
        )
        for i in 0..<100 { #expect(ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))])) }
        let report = await ledger.shutdown()
        #expect(report.statistics.droppedOldest == 90)
        let events = try ledgerEvents(dir.path, "cls")
        #expect(events.filter { $0.type == "info" }.compactMap { $0.data["seq"]?.intValue } == Array(90..<100))
        let notice = try #require(events.first { $0.type == "ledger.dropped" })
        #expect(notice.data["dropped"] == .int(90))
        #expect(notice.data["reason"] == "drop_oldest")
    }

    @Test func aCancelledEmitWaitingIsCountedAndReportedAsADrop() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path) { $0.bufferSize = 1 })
        // No runner: the one slot stays taken, so the waiting call waits until it is cancelled.
        #expect(ledger.emit("info", agent: "cls", data: ["seq": 0]))
        let waiting = Task {
            await ledger.emitWaiting(LedgerEvent(timestamp: .now, agent: "cls", type: "info", data: ["seq": 1]))
        }
        waiting.cancel()
        #expect(await waiting.value == false)
        let report = await ledger.shutdown()
        #expect(report.statistics.droppedCancelled == 1)
        #expect(report.statistics.dropped == 1)
        let events = try ledgerEvents(dir.path, "cls")
        #expect(events.filter { $0.type == "info" }.count == 1)
        let notice = try #require(events.first { $0.type == "ledger.dropped" })
        #expect(notice.data["reason"] == "cancelled_while_waiting")
        #expect(notice.data["dropped"] == .int(1))
    }

    @Test func theByteCapBoundsTheQueue() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(
            configuration: asyncConfig(dir.path) {
                $0.bufferBytes = 8192
                $0.maxEventBytes = 4096
                $0.overflow = .dropNewest
            }
        )
        let text = String(repeating: "x", count: 1000)
        var accepted = 0
        for _ in 0..<100 where ledger.emit("info", agent: "cls", summary: text) { accepted += 1 }
        #expect(accepted < 10)
        #expect(accepted >= 6)
        _ = await ledger.shutdown()
    }

    @Test func blockWaitsForTheFlusherAndLosesNothing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = asyncConfig(dir.path) {
            $0.bufferSize = 64
            $0.batchSize = 16
            $0.overflow = .block
            $0.blockTimeout = 60
        }
        let (_, report) = try await Ledger.withLedger(configuration: config) { ledger in
            // A blocking emitter is a thread of its own, as an orchestrator's worker would be.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    for i in 0..<5000 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
                    done.resume()
                }
                thread.start()
            }
        }
        #expect(report.statistics.dropped == 0)
        #expect(try ledgerEvents(dir.path, "cls").count == 5000)
    }

    @Test func theBusDeliversWhatWasWritten() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path))
        let subscription = ledger.bus.subscribe(EventFilter(agents: ["cls"], typePrefixes: ["task_"]))
        ledger.emit("task_start", agent: "cls", taskID: "wo-1")
        ledger.emit("info", agent: "cls")
        ledger.emit("task_start", agent: "andy", taskID: "wo-2")
        ledger.emit("task_result", agent: "cls", taskID: "wo-1")
        _ = await ledger.shutdown()
        var received: [String] = []
        for await e in subscription { received.append("\(e.agent):\(e.type)") }
        #expect(received == ["cls:task_start", "cls:task_result"])
    }

    @Test func aSlowSubscriberDropsItsOldestAndCountsThem() async throws {
        let bus = EventBus()
        let subscription = bus.subscribe(bufferSize: 3)
        for i in 0..<10 { bus.publish(TestEvents.event("info", data: ["i": .int(Int64(i))])) }
        bus.finishAll()
        var seen: [Int64] = []
        for await e in subscription { seen.append(e.data["i"]!.intValue!) }
        #expect(seen == [7, 8, 9])
        #expect(subscription.droppedCount == 7)
    }

    @Test func statusIsWrittenOncePerBatchFromTheLastEvents() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path))
        let cls = ledger.agent("cls", session: "2025-11-16_cls_001")
        cls.heartbeat()
        cls.taskStart("wo-1")
        cls.error("boom", taskID: "wo-1")
        cls.taskResult("wo-1", data: ["status": "failure"])
        cls.taskStart("wo-2")
        _ = await ledger.shutdown()
        let s = try #require(try StatusStore(layout: LedgerLayout(root: dir.path)).read(agent: "cls"))
        #expect(s.state == .busy)
        #expect(s.lastTaskID == "wo-2")
        #expect(s.lastError == nil)
        #expect(s.lastHeartbeat != nil)
        #expect(s.sessionID == "2025-11-16_cls_001")
    }

    @Test func aSessionEndWritesItsSummary() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path))
        let cls = ledger.agent("cls", session: "2025-11-16_cls_001")
        cls.sessionStart()
        cls.taskStart("wo-1")
        cls.taskResult("wo-1", data: ["status": "success", "duration_sec": 3])
        cls.lesson("Keep batches small")
        cls.sessionEnd()
        _ = await ledger.shutdown()
        let md = try readFile(dir.join("memory/cls/sessions/2025-11-16_cls_001.md"))
        #expect(md.contains("Completed: 1, failed: 0"))
        #expect(md.contains("- Keep batches small"))
    }

    @Test func seed003CallsWriteTheirTypes() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var c = asyncConfig(dir.path)
        c.unixTime = true
        let ledger = try Ledger(configuration: c, agent: "orchestrator")
        ledger.emitEvent("task_started", ["goal": "explain"], taskID: "demo-001", personaID: "gitko")
        ledger.emitTaskLifecycle(.completed, taskID: "demo-001", ["quality": 0.85])
        ledger.emitAlert(.warning, "Proxy port not responding", component: "proxy", ["port": 18091])
        ledger.emitSystemEvent("migration", "D to C drive", ["reason": "SSD_performance"])
        ledger.emitMonitoringSnapshot(["confidence": 0.786])
        _ = await ledger.shutdown()
        let events = try ledgerEvents(dir.path, "orchestrator")
        #expect(
            events.map(\.type) == [
                "task_started", "task_completed", "alert_triggered", "migration", "monitoring_snapshot",
            ]
        )
        #expect(events[0].personaID == "gitko")
        #expect(events[1].data["quality"] == 0.85)
        #expect(events[2].data["level"] == "warning")
        #expect(events[2].data["port"] == 18091)
        #expect(events.allSatisfy { $0.tsUnix != nil })
    }

    @Test func flushWithoutARunnerWritesInTheCallersTask() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path))
        for _ in 0..<10 { ledger.emit("info", agent: "cls") }
        #expect(await ledger.flush())
        #expect(try ledgerEvents(dir.path, "cls").count == 10)
        _ = await ledger.shutdown()
    }

    @Test func theSingleFileLedgerGetsEveryEventToo() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(
            configuration: asyncConfig(dir.path) { $0.ledgerPath = dir.join("memory/resonance_ledger.jsonl") }
        )
        ledger.emit("eval", agent: "cls")
        ledger.emit("eval", agent: "andy")
        _ = await ledger.shutdown()
        #expect(try TestEvents.lines(dir.join("memory/resonance_ledger.jsonl")).count == 2)
    }
}
