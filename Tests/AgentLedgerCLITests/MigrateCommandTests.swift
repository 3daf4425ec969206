import AgentLedger
import LedgerTestSupport
import Testing

@Suite struct MigrateCommandTests {
    @Test func migratesByOwnTimestampsOnceAndReportsMalformedLines() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let buffer = dir.join("g/telemetry/cls_audit.jsonl")
        let lines = [
            #"{"ts":"2025-11-16T02:12:34+07:00","event":"task_start","task_id":"wo-1","extra_field":1}"#,
            #"{"ts":"2025-11-16T23:59:59+07:00","event":"task_result","data":{"status":"success"}}"#,
            "not json at all",
            "",
            #"{"ts_unix":1763337600.5,"type":"heartbeat","agent":"cls-old"}"#,
            #"{"event":"no_time"}"#,
            #"{"ts":"2025-11-17T08:00:00+07:00","event":"Bad Type"}"#,
            #"{"ts":"2025-11-16T02:12:34+07:00","event":"task_start","task_id":"wo-1","extra_field":1}"#,
        ]
        try FileSystem.writeAtomically(Array((lines.joined(separator: "\n") + "\n").utf8), to: buffer)

        let first = try await AgentLedgerBinary.runAsync([
            "migrate", buffer, "--agent", "cls", "--json", "--root", dir.path,
        ])
        #expect(first.status == 1)
        let report = try JSONParser.parse(first.stdout)
        #expect(report["lines"]?.intValue == 8)
        #expect(report["migrated"]?.intValue == 3)
        #expect(report["already_present"]?.intValue == 1)
        #expect(report["blank"]?.intValue == 1)
        #expect(report["malformed"]?.arrayValue?.compactMap { $0["line"]?.intValue } == [3, 6, 7])
        #expect(first.stderr.contains("cls_audit.jsonl:3: skipped"))
        #expect(report["days"] == ["2025-11-16": 2, "2025-11-17": 1])

        let day16 = try TestEvents.lines(dir.join("g/ledger/cls/2025-11-16.jsonl")).map { try EventLine.parse($0) }
        #expect(day16.map(\.type) == ["task_start", "task_result"])
        #expect(day16[0].ts == "2025-11-16T02:12:34.000+07:00")
        #expect(day16[0].agent == "cls")
        #expect(day16[0].extra["extra_field"] == 1)
        #expect(day16[0].extra["migrated_from"]?.stringValue == "cls_audit.jsonl")
        let day17 = try TestEvents.lines(dir.join("g/ledger/cls/2025-11-17.jsonl")).map { try EventLine.parse($0) }
        #expect(day17.first?.extra["telemetry_agent"]?.stringValue == "cls-old")

        let second = try await AgentLedgerBinary.runAsync(["migrate", buffer, "--agent", "cls", "--root", dir.path])
        #expect(second.status == 1)
        #expect(second.stdout.hasPrefix("8 lines: 0 migrated, 4 already in the ledger, 3 malformed, 1 blank"))
        #expect(try TestEvents.lines(dir.join("g/ledger/cls/2025-11-16.jsonl")).count == 2)
        #expect(try TestEvents.lines(dir.join("g/ledger/cls/2025-11-17.jsonl")).count == 1)

        // Even with the day file gone (archived elsewhere), the ids kept in state/migrated stop a copy.
        try FileSystem.remove(dir.join("g/ledger/cls/2025-11-17.jsonl"))
        let third = try await AgentLedgerBinary.runAsync(["migrate", buffer, "--agent", "cls", "--root", dir.path])
        #expect(third.stdout.hasPrefix("8 lines: 0 migrated"))
        #expect(!FileSystem.exists(dir.join("g/ledger/cls/2025-11-17.jsonl")))
        // Piped: no progress bar on stderr.
        #expect(!third.stderr.contains("migrating ["))
    }

    @Test func aMissingBufferOrBadAgentWritesNothing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let missing = try await AgentLedgerBinary.runAsync([
            "migrate", dir.join("nope.jsonl"), "--agent", "cls", "--root", dir.path,
        ])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("there is no file"))
        let badAgent = try await AgentLedgerBinary.runAsync([
            "migrate", dir.join("nope.jsonl"), "--agent", "../cls", "--root", dir.path,
        ])
        #expect(badAgent.status == 64)
        #expect(FileSystem.list(dir.path).isEmpty)
    }
}

extension MigrateCommandTests {
    @Test func aTerminalGetsAProgressBar() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let buffer = dir.join("buffer.jsonl")
        let lines = (0..<10).map { #"{"ts":"2025-11-16T02:12:\#(10 + $0)+07:00","event":"heartbeat"}"# }
        try FileSystem.writeAtomically(Array((lines.joined(separator: "\n") + "\n").utf8), to: buffer)
        // `script` gives the command a real pseudo-terminal.
        let command = ShellQuoting.join([
            AgentLedgerBinary.path, "migrate", buffer, "--agent", "cls", "--root", dir.path,
        ])
        let out = try await Shell.runAsync(["script", "-qec", command, "/dev/null"])
        #expect(out.status == 0, "\(out.stdout)")
        #expect(out.stdout.contains("migrating [##############################] 100%"))
        #expect(out.stdout.contains("10 lines: 10 migrated"))
    }
}
