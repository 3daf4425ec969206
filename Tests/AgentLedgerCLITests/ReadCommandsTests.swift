import AgentLedger
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ReadCommandsTests {
    /// A ledger of two agents over two days; the first day archived, with one malformed line.
    static func makeLedger(_ root: String) async throws -> [LedgerEvent] {
        let layout = LedgerLayout(root: root)
        var events: [LedgerEvent] = []
        for i in 0..<6 {
            let agent = i % 2 == 0 ? "cls" : "andy"
            let type = i == 3 ? "error" : "task_result"
            events.append(
                TestEvents.event(type, agent: agent, task: "wo-\(i)", summary: "step, \"\(i)\"", after: Double(i) * 60)
            )
        }
        for i in 0..<3 {
            events.append(
                TestEvents.event("heartbeat", agent: "cls", summary: "next day \(i)", after: 86400 + Double(i))
            )
        }
        try TestFiles.append(events, root: root)
        let torn = Array("{\"ts\":\"2025-11-17T05:00:00.000+07:00\",\"agent\":\"cls\n".utf8)
        try TestFiles.append(torn, to: layout.agentDirectory("cls") + "/2025-11-17.jsonl")
        let archive = try await AgentLedgerBinary.runAsync(["archive", "--root", root, "--after-days", "0"])
        #expect(archive.status == 0, "\(archive.stderr)")
        #expect(FileSystem.exists(layout.agentDirectory("cls") + "/2025-11-16.jsonl.gz"))
        return events
    }

    static func jsonLines(_ events: [LedgerEvent]) -> String {
        events.map { String(decoding: EventLine.bytes($0), as: UTF8.self) }.joined()
    }

    @Test func streamPrintsStoredLinesInTimeOrderWithFilters() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let events = try await Self.makeLedger(dir.path)
        let all = try await AgentLedgerBinary.runAsync(["stream", "--json", "--root", dir.path])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout == Self.jsonLines(events))
        #expect(all.stderr.contains("skipped 1 malformed line"))
        // Piped without --json: the same raw lines, for jq.
        let piped = try await AgentLedgerBinary.runAsync(["stream", "--root", dir.path])
        #expect(piped.stdout == all.stdout)

        let filtered = try await AgentLedgerBinary.runAsync([
            "stream", "--root", dir.path, "--agent", "cls", "--type", "task_result", "--type", "heartbeat",
            "--since", "2025-11-16T02:13:00+07:00", "--until", "2025-11-17T02:12:35.123+07:00",
        ])
        #expect(filtered.status == 0, "\(filtered.stderr)")
        let expected = events.filter {
            $0.agent == "cls" && $0.type != "error" && $0.timestamp >= TestEvents.instant.adding(seconds: 26)
                && $0.timestamp <= TestEvents.instant.adding(seconds: 86401)
        }
        #expect(expected.count == 4)
        #expect(filtered.stdout == Self.jsonLines(expected))
        // A time without an offset is read in the ledger's zone.
        let local = try await AgentLedgerBinary.runAsync([
            "stream", "--root", dir.path, "--time-zone", "+07:00", "--since", "2025-11-17",
        ])
        #expect(local.stdout == Self.jsonLines(Array(events.suffix(3))))
    }

    @Test func streamOnATerminalPrintsReadableColouredLines() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try await Self.makeLedger(dir.path)
        // `script` gives the command a real pseudo-terminal.
        let out = try await Shell.runAsync(
            ["script", "-qec", "'\(AgentLedgerBinary.path)' stream --agent andy --root '\(dir.path)'", "/dev/null"],
            environment: ["NO_COLOR": nil, "TERM": "xterm"]
        )
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("2025-11-16 02:13:34.123"))
        #expect(out.stdout.contains("\u{1B}[31merror\u{1B}[0m"))
        #expect(!out.stdout.contains("{\"ts\""))
    }

    @Test func badTimesAreRefusedWithTheFormsTheyTake() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for args in [
            ["stream", "--since", "yesterday"], ["stream", "--since", "1h", "--until", "2h"],
            ["export", "--until", "2025-13-01"], ["stream", "--agent", "../x"], ["inspect", "soon"],
        ] {
            let out = try await AgentLedgerBinary.runAsync(args + ["--root", dir.path])
            #expect(out.status == 64, "\(args): \(out.stderr)")
            #expect(out.stdout.isEmpty)
            #expect(out.stderr.hasPrefix("agent-ledger: error:"), "\(args)")
        }
    }

    @Test func exportWritesJSONLinesOrCSVWholeOrNotAtAll() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let events = try await Self.makeLedger(dir.path)
        let jsonl = try await AgentLedgerBinary.runAsync(["export", "--type", "error", "--root", dir.path])
        #expect(jsonl.stdout == Self.jsonLines(events.filter { $0.type == "error" }))

        let csvPath = dir.join("out/andy.csv")
        try FileSystem.makeDirectories(dir.join("out"))
        let csv = try await AgentLedgerBinary.runAsync([
            "export", "--agent", "andy", "--format", "csv", "--output", csvPath, "--root", dir.path,
        ])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stderr.contains("Exported 3 events"))
        let rows = try readFile(csvPath).split(separator: "\n").map(String.init)
        #expect(rows.count == 4)
        #expect(rows[0] == "ts,id,agent,event,session_id,task_id,source,summary,data")
        let andy = events.filter { $0.agent == "andy" }
        #expect(rows[1] == "\(andy[0].ts),\(andy[0].id!),andy,task_result,,wo-1,,\"step, \"\"1\"\"\",{}")
        #expect(FileSystem.list(dir.join("out")) == ["andy.csv"])

        let missing = try await AgentLedgerBinary.runAsync([
            "export", "--output", dir.join("nowhere/x.jsonl"), "--root", dir.path,
        ])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("does not exist"))
        #expect(!FileSystem.exists(dir.join("nowhere")))
    }

    @Test func inspectFindsAnEventByIdOrShowsTheEventsAroundATime() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let events = try await Self.makeLedger(dir.path)
        let target = events[2]
        let byID = try await AgentLedgerBinary.runAsync(["inspect", target.id!.description, "--root", dir.path])
        #expect(byID.status == 0, "\(byID.stderr)")
        #expect(byID.stdout.contains("2025-11-16.jsonl.gz"))
        #expect(byID.stdout.contains("\"summary\": \"step, \\\"2\\\"\""))
        let asJSON = try await AgentLedgerBinary.runAsync([
            "inspect", target.id!.description, "--json", "--root", dir.path,
        ])
        #expect(asJSON.stdout == Self.jsonLines([target]))

        let around = try await AgentLedgerBinary.runAsync([
            "inspect", "2025-11-16T02:14:00+07:00", "--context", "2", "--root", dir.path,
        ])
        #expect(around.status == 0, "\(around.stderr)")
        let lines = around.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[2].hasPrefix("> ") && lines[2].contains("wo-2"))
        #expect(lines[0].contains("wo-0") && lines[1].contains("wo-1"))
        #expect(lines[3].contains("wo-3") && lines[4].contains("wo-4"))

        let unknown = try await AgentLedgerBinary.runAsync([
            "inspect", "01JD5M7R8K2Q4W6Y8A0C2E4G6J", "--root", dir.path,
        ])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no event with id"))
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func followPrintsNewLinesAcrossDaysUntilSignalled(signal: Int32) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let events = try await Self.makeLedger(dir.path)
        let child = try Shell.spawn([
            AgentLedgerBinary.path, "stream", "--follow", "--json", "--agent", "cls", "--interval", "0.05",
            "--root", dir.path,
        ])
        let initial = Self.jsonLines(events.filter { $0.agent == "cls" })
        #expect(try await Self.waitForOutput(child, initial))

        // Appended to the open day, then a new day's file, as writers would.
        let more = [
            TestEvents.event("info", agent: "cls", summary: "appended", after: 86400 + 10),
            TestEvents.event("info", agent: "andy", summary: "filtered out", after: 86400 + 11),
            TestEvents.event("info", agent: "cls", summary: "new day", after: 2 * 86400),
        ]
        try TestFiles.append(more, root: dir.path)
        let expected = initial + Self.jsonLines([more[0], more[2]])
        #expect(try await Self.waitForOutput(child, expected))
        child.signal(signal)
        let out = try await child.finish()
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout == expected)
        #expect(out.stderr.contains("skipped 1 malformed line"))
    }

    @Test func followWithUntilStopsOnceThatTimeHasPassed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let events = try await Self.makeLedger(dir.path)
        let until = events[2]
        let child = try Shell.spawn([
            AgentLedgerBinary.path, "stream", "--follow", "--json", "--agent", "cls", "--until", until.ts,
            "--interval", "0.05", "--root", dir.path,
        ])
        // Following forever would be ended by this, and fail the test.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(120))
            child.signal(SIGKILL)
        }
        let out = try await child.finish()
        watchdog.cancel()
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout == Self.jsonLines(events.filter { $0.agent == "cls" && $0.timestamp <= until.timestamp }))
    }

    /// Waits (up to two minutes on a busy machine) until the child has printed `text`.
    static func waitForOutput(_ child: Shell.Child, _ text: String) async throws -> Bool {
        for _ in 0..<2400 {
            if child.currentStdout() == text { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return child.currentStdout() == text
    }
}
