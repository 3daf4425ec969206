import LedgerCore
import LedgerStore
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct StatusStoreTests {
    @Test func eventsDriveTheState() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = StatusStore(layout: LedgerLayout(root: dir.path))
        try store.apply(agent: "cls", events: [TestEvents.event("heartbeat", session: "2025-11-16_cls_001")])
        var s = try #require(try store.read(agent: "cls"))
        #expect(s.state == .idle)
        #expect(s.lastHeartbeat == "2025-11-16T02:12:34.123+07:00")
        #expect(s.sessionID == "2025-11-16_cls_001")

        try store.apply(agent: "cls", events: [TestEvents.event("task_start", task: "wo-1", after: 1)])
        s = try #require(try store.read(agent: "cls"))
        #expect(s.state == .busy)
        #expect(s.lastTaskID == "wo-1")

        try store.apply(
            agent: "cls",
            events: [TestEvents.event("error", task: "wo-1", summary: "tool timed out", after: 2)]
        )
        s = try #require(try store.read(agent: "cls"))
        #expect(s.state == .error)
        #expect(s.lastError == "tool timed out")

        try store.apply(agent: "cls", events: [TestEvents.event("task_result", task: "wo-1", after: 3)])
        s = try #require(try store.read(agent: "cls"))
        #expect(s.state == .idle)
        #expect(s.lastError == "tool timed out")

        try store.apply(agent: "cls", events: [TestEvents.event("task_start", task: "wo-2", after: 4)])
        s = try #require(try store.read(agent: "cls"))
        #expect(s.lastError == nil)
    }

    @Test func writesSeed000Shape() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = StatusStore(layout: LedgerLayout(root: dir.path))
        try store.apply(agent: "cls", events: [TestEvents.event("task_start", task: "wo-1")])
        let text = try readFile(dir.join("agents/cls/status.json"))
        #expect(
            text
                == #"{"agent":"cls","state":"busy","last_heartbeat":null,"last_task_id":"wo-1","session_id":null,"last_error":null,"updated_at":"2025-11-16T02:12:34.123+07:00"}"#
                + "\n"
        )
        // No temporary files left behind.
        #expect(FileSystem.list(dir.join("agents/cls")).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func offlineWhenTheHeartbeatIsOld() throws {
        var s = AgentStatus(agent: "cls")
        s.apply(TestEvents.event("heartbeat"))
        let later = TestEvents.instant.adding(seconds: 301)
        #expect(s.effectiveState(now: later, offlineAfter: 300) == .offline)
        #expect(s.effectiveState(now: TestEvents.instant.adding(seconds: 10), offlineAfter: 300) == .idle)
    }

    @Test func aPlantedSymlinkIsNeverFollowed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = StatusStore(layout: LedgerLayout(root: dir.path))
        try store.apply(agent: "cls", events: [TestEvents.event("heartbeat")])
        // Plant a symlink where status.json is, pointing outside the ledger root.
        let victim = dir.join("victim.txt")
        try FileSystem.writeAtomically(Array("precious\n".utf8), to: victim)
        unlink(dir.join("agents/cls/status.json"))
        symlink(victim, dir.join("agents/cls/status.json"))
        try store.apply(agent: "cls", events: [TestEvents.event("task_start", task: "wo-9", after: 1)])
        // The rename replaced the link itself; the file it pointed to is untouched.
        #expect(try readFile(victim) == "precious\n")
        #expect(try store.read(agent: "cls")?.lastTaskID == "wo-9")
    }
}
