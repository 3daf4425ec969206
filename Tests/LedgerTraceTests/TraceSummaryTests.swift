import LedgerCore
import LedgerTestSupport
import Testing

@testable import LedgerTrace

@Suite struct TraceSummaryTests {
    static let events: [LedgerEvent] = [
        TestEvents.event("task_start", agent: "cls", task: "deploy"),
        TestEvents.event("task_start", agent: "gg", task: "verify", after: 10),
        TestEvents.event("ledger:run", agent: "git-ledger", task: "run_1", after: 30),
        TestEvents.event("task_result", agent: "cls", task: "deploy", data: ["status": "failed"], after: 60),
        TestEvents.event("task_result", agent: "gg", task: "verify", data: ["status": "success"], after: 184),
        TestEvents.event("task_start", agent: "cls", task: "retry", after: 184),
        TestEvents.event("info", agent: "cls", after: 184),
    ]

    @Test func theSummaryFollowsTheTemplate() {
        var trace = SessionTrace(name: "Release 1.2", classification: "deployment")
        TraceRecorder.fill(&trace, with: Self.events)
        #expect(
            trace.autoSummary
                == "[deployment] Release 1.2: 7 events from 3 agents (cls, gg, git-ledger) over 3m 4s — 3 task_start, 2 task_result, 1 info, +1 more; 1 failed"
        )
        #expect(trace.events.map(\.seq) == Array(1...7))
        #expect(trace.events[3].result == "failed")
        #expect(trace.events[4].result == "ok")
        #expect(trace.events[0].target == "deploy")
        #expect(trace.events[0].detail["agent"] == "cls")
        #expect(trace.auditRefs.count == 7)
    }

    @Test func theSameEventsGiveTheSameSummaryWhateverTheTraceIdOrTime() {
        var a = SessionTrace(name: "x")
        var b = SessionTrace(name: "x", startedAt: "2030-01-01T00:00:00.000Z")
        TraceRecorder.fill(&a, with: Self.events)
        TraceRecorder.fill(&b, with: Self.events)
        #expect(a.traceID != b.traceID)
        #expect(a.autoSummary == b.autoSummary)
        #expect(TraceSummary.generate(a) == a.autoSummary)
    }

    @Test func anEmptyOrSmallTrace() {
        #expect(TraceSummary.generate(SessionTrace()) == "Session: no events recorded")
        var one = SessionTrace(classification: "debugging")
        TraceRecorder.fill(&one, with: [TestEvents.event("error", agent: "cls")])
        #expect(one.autoSummary == "[debugging] Session: 1 event from 1 agent (cls) — 1 error; 1 failed")
    }

    @Test func aTraceSurvivesItsJSON() throws {
        var trace = SessionTrace(name: "n", classification: "c", user: "u", codeRef: "abc")
        trace.endedAt = "2026-01-01T00:00:00.000Z"
        TraceRecorder.fill(&trace, with: Self.events)
        let text = JSONValue.object(trace.json).jsonString
        #expect(try SessionTrace(jsonText: text) == trace)
    }
}
