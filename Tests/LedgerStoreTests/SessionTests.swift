import LedgerCore
import LedgerStore
import LedgerTestSupport
import Testing

@Suite struct SessionTests {
    @Test func sessionIDsAreNumberedPerAgentPerDay() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let allocator = SessionAllocator(layout: LedgerLayout(root: dir.path))
        let day = CivilDate("2025-11-16")!
        #expect(try allocator.next(agent: "cls", date: day) == "2025-11-16_cls_001")
        #expect(try allocator.next(agent: "cls", date: day) == "2025-11-16_cls_002")
        #expect(try allocator.next(agent: "andy", date: day) == "2025-11-16_andy_001")
        #expect(try allocator.next(agent: "cls", date: day.next) == "2025-11-17_cls_001")
        #expect(SessionAllocator.parse("2025-11-16_my_agent_012")?.agent == "my_agent")
        #expect(SessionAllocator.parse("2025-11-16_my_agent_012")?.number == 12)
    }

    func sessionEvents() -> [LedgerEvent] {
        let s = "2025-11-16_cls_001"
        return [
            TestEvents.event("session_start", session: s, summary: "start"),
            TestEvents.event("task_start", session: s, task: "wo-1", summary: "Layout SPEC", after: 1),
            TestEvents.event("heartbeat", session: s, after: 2),
            TestEvents.event(
                "task_result",
                session: s,
                task: "wo-1",
                summary: "Done",
                data: ["status": "success"],
                after: 61
            ),
            TestEvents.event("task_start", session: s, task: "wo-2", summary: "Build", after: 62),
            TestEvents.event("error", session: s, task: "wo-2", summary: "npm failed", after: 63),
            TestEvents.event(
                "task_result",
                session: s,
                task: "wo-2",
                summary: "Build failed",
                data: ["status": "failure", "duration_sec": 4.5],
                after: 64
            ),
            TestEvents.event("lesson", session: s, summary: "Run npm install first", after: 65),
            TestEvents.event("info", session: s, summary: "note", data: ["lesson": "Pin the node version"], after: 66),
            TestEvents.event("session_end", session: s, after: 70),
        ]
    }

    @Test func theSummaryListsTasksErrorsAndLessons() {
        let md = SessionSummary(session: "2025-11-16_cls_001", agent: "cls", events: sessionEvents()).render()
        #expect(md.hasPrefix("# Session 2025-11-16_cls_001\n"))
        #expect(md.contains("Completed: 1, failed: 1, unfinished: 0."))
        #expect(md.contains("| wo-1 | completed | 1 min 0 s | Done |"))
        #expect(md.contains("| wo-2 | failed | 4.5 s | Build failed |"))
        #expect(md.contains("`error` wo-2: npm failed"))
        #expect(md.contains("- Run npm install first\n"))
        #expect(md.contains("- Pin the node version\n"))
        #expect(!md.contains("`heartbeat`"))
    }

    @Test func theSummaryIsDeterministic() {
        let events = sessionEvents()
        let a = SessionSummary(session: "2025-11-16_cls_001", agent: "cls", events: events).render()
        let b = SessionSummary(session: "2025-11-16_cls_001", agent: "cls", events: events.reversed()).render()
        #expect(a == b)
    }

    @Test func summarizeReadsTheLedgerAndWritesMemory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let writer = DayFileWriter(layout: layout, agent: "cls", fsyncPolicy: .none)
        try writer.append(sessionEvents().flatMap(EventLine.bytes), date: CivilDate("2025-11-16")!)
        let store = SessionStore(layout: layout)
        let path = try store.summarize(session: "2025-11-16_cls_001")
        #expect(path == dir.join("memory/cls/sessions/2025-11-16_cls_001.md"))
        #expect(try readFile(path).contains("Completed: 1, failed: 1"))
        let list = try store.list()
        #expect(list.count == 1)
        #expect(list[0].events == 10)
        #expect(list[0].ended)
        #expect(list[0].summaryPath == path)
        #expect(throws: LedgerError.self) { try store.summarize(session: "2025-11-16_cls_002") }
        #expect(throws: LedgerError.self) { try store.summarize(session: "../../etc/passwd") }
    }
}
