import LedgerCore
import LedgerStore
import LedgerTestSupport
import Testing

@testable import LedgerRuntime

/// Sync mode holds status events back between status writes, replacing an event by the next one
/// when that one leaves the same status: the status written must be the one of every event.
@Suite struct SyncStatusTests {
    static let types = [
        "heartbeat", "task_start", "task_started", "task_result", "task_completed", "task_failed", "error",
        "agent.error", "session_start", "session_end",
    ]

    static func randomEvent(_ i: Int, using rng: inout SplitMix64) -> LedgerEvent {
        TestEvents.event(
            types.randomElement(using: &rng)!,
            session: Bool.random(using: &rng) ? "2025-11-16_cls_00\(Int.random(in: 1...3, using: &rng))" : nil,
            task: Bool.random(using: &rng) ? "wo-\(Int.random(in: 1...4, using: &rng))" : nil,
            summary: Bool.random(using: &rng) ? "summary \(i)" : nil,
            data: Bool.random(using: &rng) ? ["message": .string("message \(i)")] : [:],
            after: Double(i)
        )
    }

    @Test func theHeldEventsLeaveTheStatusEveryEventWould() {
        var rng = SplitMix64(seed: 2025)  // a fixed seed: a failure replays
        let bases: [AgentStatus] = AgentStatus.State.allCases.map { state in
            AgentStatus(agent: "cls", state: state, lastTaskID: "wo-0", sessionID: "s-0", lastError: "before")
        }
        var heldAtMost = 0
        for round in 0..<3000 {
            let events = (0..<Int.random(in: 1...40, using: &rng)).map { Self.randomEvent($0, using: &rng) }
            var held: [LedgerEvent] = []
            for e in events { Ledger.holdStatus(e, in: &held) }
            heldAtMost = max(heldAtMost, held.count)
            for base in bases {
                var everyEvent = base
                for e in events { everyEvent.apply(e) }
                var fromHeld = base
                for e in held { fromHeld.apply(e) }
                #expect(fromHeld == everyEvent, "round \(round), from \(base.state)")
            }
        }
        #expect(heldAtMost <= 40)
    }

    @Test func aStreamOfOneKindHoldsOneEvent() {
        var held: [LedgerEvent] = []
        for i in 0..<10_000 {
            Ledger.holdStatus(
                TestEvents.event("task_result", session: "2025-11-16_cls_001", task: "wo-\(i)", after: Double(i)),
                in: &held
            )
        }
        #expect(held.count == 1)
        #expect(held.first?.taskID == "wo-9999")
        // An event with less in it does not replace one with more: its task would be lost.
        Ledger.holdStatus(TestEvents.event("task_result", session: "2025-11-16_cls_001"), in: &held)
        #expect(held.count == 2)
    }

    @Test func syncModeWritesTheStatusOfTheLastEvents() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var c = asyncConfig(dir.path)
        c.async = false
        let ledger = try Ledger(configuration: c)
        let cls = ledger.agent("cls", session: "2025-11-16_cls_001")
        cls.heartbeat()
        for i in 0..<2_000 { cls.taskResult("wo-\(i)", data: ["status": "success"]) }
        cls.taskStart("wo-last")
        cls.error("boom", taskID: "wo-last")
        let report = await ledger.shutdown()
        #expect(report.complete)
        #expect(try ledgerEvents(dir.path, "cls").count == 2_003)
        let s = try #require(try StatusStore(layout: LedgerLayout(root: dir.path)).read(agent: "cls"))
        #expect(s.state == .error)
        #expect(s.lastTaskID == "wo-last")
        #expect(s.lastError == "boom")
        #expect(s.lastHeartbeat != nil)
        #expect(s.sessionID == "2025-11-16_cls_001")
    }
}
