import AgentLedger
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct CommandsTests {
    @Test func statusShowsAgentsForPeopleAndScripts() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await AgentLedgerBinary.runAsync(["emit", "heartbeat", "--agent", "cls", "--root", dir.path])
        try await AgentLedgerBinary.runAsync([
            "emit", "task_start", "--agent", "cls", "--task", "wo-7", "--root", dir.path,
        ])
        try await AgentLedgerBinary.runAsync([
            "emit", "error", "--agent", "andy", "--summary", "npm failed", "--root", dir.path,
        ])
        let table = try await AgentLedgerBinary.runAsync(["status", "--root", dir.path])
        #expect(table.status == 0)
        #expect(table.stdout.contains("AGENT"))
        #expect(table.stdout.contains("wo-7"))
        #expect(table.stdout.contains("npm failed"))
        let json = try await AgentLedgerBinary.runAsync(["status", "--json", "--root", dir.path])
        let rows = try #require(try JSONParser.parse(json.stdout).arrayValue)
        #expect(rows.count == 2)
        #expect(rows.first { $0["agent"] == "cls" }?["state"] == "busy")
        #expect(rows.first { $0["agent"] == "andy" }?["state"] == "error")
        let one = try await AgentLedgerBinary.runAsync(["status", "ghost", "--root", dir.path])
        #expect(one.status != 0)
    }

    @Test func sessionsAreAllocatedListedAndSummarized() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let new = try await AgentLedgerBinary.runAsync(["session", "new", "--agent", "cls", "--root", dir.path])
        let session = new.stdout.trimmingWhitespace
        #expect(session.hasSuffix("_cls_001"))
        for args in [
            ["task_start", "--task", "wo-1"], ["task_result", "--task", "wo-1", "--set", "status=success"],
            ["lesson", "--summary", "Cache the index"],
        ] {
            let out = try await AgentLedgerBinary.runAsync(
                ["emit"] + args + ["--agent", "cls", "--session", session, "--root", dir.path]
            )
            #expect(out.status == 0, "\(out.stderr)")
        }
        let list = try await AgentLedgerBinary.runAsync(["session", "list", "--json", "--root", dir.path])
        let rows = try #require(try JSONParser.parse(list.stdout).arrayValue)
        #expect(rows.count == 1)
        #expect(rows[0]["events"] == 3)
        let summarize = try await AgentLedgerBinary.runAsync(["session", "summarize", session, "--root", dir.path])
        #expect(summarize.status == 0)
        let md = try readFile(summarize.stdout.trimmingWhitespace)
        #expect(md.contains("Completed: 1"))
        #expect(md.contains("Cache the index"))
        // A session_end event writes the summary by itself.
        try FileSystem.remove(summarize.stdout.trimmingWhitespace)
        try await AgentLedgerBinary.runAsync([
            "emit", "session_end", "--agent", "cls", "--session", session, "--root", dir.path,
        ])
        #expect(FileSystem.exists(dir.join("memory/cls/sessions/\(session).md")))
    }

    @Test func sigtermDrainsEverythingAcceptedBeforeExit() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let child = try Shell.spawn([AgentLedgerBinary.path, "demo", "--duration", "120s", "--root", dir.path])
        // Wait until the agents are writing.
        let layout = LedgerLayout(root: dir.path)
        var waited = 0
        while waited < 600 {
            if let size = FileSystem.fileSize(
                layout.dayFile(agent: "cls", date: try LedgerTimeZone.parse("system").localDate(of: .now))
            ),
                size > 100_000
            {
                break
            }
            try await Task.sleep(for: .milliseconds(50))
            waited += 1
        }
        child.signal(SIGTERM)
        let out = try await child.finish()
        #expect(out.status == 0, "\(out.stderr)")
        // "Done: N events accepted, M events written …"
        let done = try #require(out.stdout.split(separator: "\n").first { $0.hasPrefix("Done: ") })
        let numbers = done.split(separator: " ").compactMap { Int($0) }
        #expect(numbers.count >= 2)
        #expect(numbers[0] == numbers[1])
        // The agents' own events; the ledger's notices (`ledger.dropped` for an emit cancelled while it
        // waited for room, when SIGTERM came with the queue full) are not among the accepted events.
        var lines = 0
        for agent in layout.agents() {
            for date in layout.days(agent: agent) {
                lines += try TestEvents.lines(layout.dayFile(agent: agent, date: date)).count {
                    !$0.contains(#""event":"ledger."#)
                }
            }
        }
        #expect(lines == numbers[0])
        #expect(lines > 0)
        // Every agent's session was closed before the exit, so every summary the output names exists.
        for agent in ["cls", "andy", "hybrid", "kim"] {
            let events = try layout.days(agent: agent).flatMap {
                try TestEvents.lines(layout.dayFile(agent: agent, date: $0))
            }
            #expect(events.contains { $0.contains(#""event":"session_end""#) }, "\(agent) has no session_end")
        }
        let summaries = out.stdout.split(separator: "\n").filter { $0.hasPrefix("Session summary:") }
        #expect(summaries.count == 4)
        for line in summaries {
            #expect(FileSystem.exists(String(line.dropFirst("Session summary:".count)).trimmingWhitespace))
        }
    }

    @Test func demoRefusesFewerEventsThanItsSessionsNeed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = try await AgentLedgerBinary.runAsync(["demo", "--agents", "4", "--events", "5", "--root", dir.path])
        #expect(out.status == 64)
        #expect(out.stderr.contains("at least 8"))
        #expect(!FileSystem.exists(dir.join("g")))
    }
}
