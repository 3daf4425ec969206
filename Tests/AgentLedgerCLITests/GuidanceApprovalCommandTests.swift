import AgentLedger
import LedgerTestSupport
import Testing

@Suite struct GuidanceApprovalCommandTests {
    static func events(_ dir: TemporaryDirectory, agent: String) throws -> [LedgerEvent] {
        let layout = LedgerLayout(root: dir.path)
        return try layout.days(agent: agent).flatMap { day in
            try TestEvents.lines(layout.dayFile(agent: agent, date: day)).map { try EventLine.parse($0) }
        }
    }

    @Test func guidanceAppendListAndDelete() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for text in ["Prefer small commits", "Run the tests before \"push\""] {
            let out = try await AgentLedgerBinary.runAsync([
                "guidance", "append", "--session", "session-abc", text, "--root", dir.path,
            ])
            #expect(out.status == 0, "\(out.stderr)")
        }
        let path = dir.join("logs/guidance/guidance-session-abc.json")
        let array = try #require(try JSONParser.parse(readFile(path)).arrayValue)
        #expect(array.count == 2)
        #expect(array[1]["text"]?.stringValue == "Run the tests before \"push\"")
        #expect(array[0]["agent"]?.stringValue == "bookkeeper")
        let appended = try Self.events(dir, agent: "bookkeeper")
        #expect(appended.map(\.type) == ["guidance.append", "guidance.append"])
        #expect(appended[0].sessionID == "session-abc")
        #expect(appended[0].ts == array[0]["ts"]?.stringValue)

        let list = try await AgentLedgerBinary.runAsync(["guidance", "list", "--root", dir.path])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("guidance-session-abc.json  2"))
        let listed = try #require(try Self.events(dir, agent: "bookkeeper").last)
        #expect(listed.type == "guidance.list")
        #expect(listed.data["files"] == ["guidance-session-abc.json"])

        let delete = try await AgentLedgerBinary.runAsync([
            "guidance", "delete", "guidance-session-abc.json", "--root", dir.path,
        ])
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(delete.stdout == "rm -- \(path)\n")
        #expect(FileSystem.exists(path))
        let requested = try #require(try Self.events(dir, agent: "bookkeeper").last)
        #expect(requested.type == "guidance.delete.requested")
        #expect(requested.data["file"]?.stringValue == "guidance-session-abc.json")
    }

    @Test func guidanceBadInputChangesNothing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cases: [[String]] = [
            ["guidance", "append", "--session", "../etc", "x"],
            ["guidance", "append", "--session", "s1", "   "],
            ["guidance", "append", "--session", "s1", "x", "--agent", "Bad"],
            ["guidance", "delete", "../../etc/passwd"],
            ["guidance", "delete", "guidance-missing.json"],
        ]
        for args in cases {
            let out = try await AgentLedgerBinary.runAsync(args + ["--root", dir.path])
            #expect(out.status != 0, "\(args)")
            #expect(out.stderr.contains("error:"), "\(args)")
        }
        #expect(FileSystem.list(dir.path).isEmpty)
        // A file that is not an array is left alone.
        try FileSystem.writeAtomically(
            Array("{\"not\":\"an array\"}".utf8),
            to: dir.join("logs/guidance/guidance-s1.json")
        )
        let out = try await AgentLedgerBinary.runAsync([
            "guidance", "append", "--session", "s1", "x", "--root", dir.path,
        ])
        #expect(out.status != 0)
        #expect(try readFile(dir.join("logs/guidance/guidance-s1.json")) == "{\"not\":\"an array\"}")
        #expect(try Self.events(dir, agent: "bookkeeper").isEmpty)
    }

    @Test func approvalsPersistAndPickTheirEventType() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let steps: [(String, String, String)] = [
            ("vscode", "trusted", "approval.workspace_trust"),
            ("claude", "ask", "approval.permission.toggle"),
            ("gemini-cli", "plan-review", "approval.plan.review"),
            ("codex-cli", "on-request", "approval.policy.set"),
            ("vscode", "untrusted", "approval.workspace_trust"),
        ]
        for (integration, value, _) in steps {
            let out = try await AgentLedgerBinary.runAsync(["approval", "set", integration, value, "--root", dir.path])
            #expect(out.status == 0, "\(out.stderr)")
        }
        let events = try Self.events(dir, agent: "operator")
        #expect(events.map(\.type) == steps.map(\.2))
        #expect(events.last?.data["previous"]?.stringValue == "trusted")
        let show = try await AgentLedgerBinary.runAsync(["approval", "show", "--json", "--root", dir.path])
        #expect(show.status == 0, "\(show.stderr)")
        let shown = try JSONParser.parse(show.stdout)
        #expect(shown["vscode"]?["value"]?.stringValue == "untrusted")
        #expect(shown["claude-code"]?["value"]?.stringValue == "ask")
        #expect(shown["codex-cli"]?["event"]?.stringValue == "approval.policy.set")
        #expect(shown["vscode"]?["id"]?.stringValue == events.last?.id?.description)
        let table = try await AgentLedgerBinary.runAsync(["approval", "show", "--root", dir.path])
        #expect(table.stdout.contains("gemini-cli"))

        let bad = try await AgentLedgerBinary.runAsync(["approval", "set", "emacs", "on", "--root", dir.path])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("vscode"))
        #expect(try Self.events(dir, agent: "operator").count == steps.count)
    }
}

extension GuidanceApprovalCommandTests {
    @Test func processesAppendingAtOnceLoseNoEntry() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let children = try (0..<8).map { i in
            try Shell.spawn([
                AgentLedgerBinary.path, "guidance", "append", "--session", "busy", "note \(i)", "--root", dir.path,
            ])
        }
        for child in children {
            let out = try await child.finish()
            #expect(out.status == 0, "\(out.stderr)")
        }
        let array = try #require(
            try JSONParser.parse(readFile(dir.join("logs/guidance/guidance-busy.json"))).arrayValue
        )
        #expect(Set(array.compactMap { $0["text"]?.stringValue }) == Set((0..<8).map { "note \($0)" }))
        #expect(try Self.events(dir, agent: "bookkeeper").count == 8)
    }
}
