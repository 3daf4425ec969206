import AgentLedger
import LedgerTestSupport
import Testing

@Suite struct EmitCommandTests {
    @Test func emitWritesOneLineAndExitsZero() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = try await AgentLedgerBinary.runAsync([
            "emit", "task_result", "--agent", "cls", "--session", "2025-11-16_cls_001", "--task", "wo-1",
            "--summary", "Done", "--set", "status=success", "--set", "duration_sec=132", "--root", dir.path,
            "--time-zone", "+07:00", "--ts", "2025-11-16T02:12:34.123+07:00", "--json",
        ])
        #expect(out.status == 0, "\(out.stderr)")
        let path = dir.join("g/ledger/cls/2025-11-16.jsonl")
        let lines = try TestEvents.lines(path)
        #expect(lines.count == 1)
        let e = try EventLine.parse(lines[0])
        #expect(e.ts == "2025-11-16T02:12:34.123+07:00")
        #expect(e.data == ["status": "success", "duration_sec": 132])
        #expect(e.source == "agent-ledger-cli")
        let printed = try JSONParser.parse(out.stdout)
        #expect(printed["id"]?.stringValue == e.id?.description)
        #expect(printed["file"]?.stringValue == path)
        // The status snapshot followed.
        let status = try readFile(dir.join("agents/cls/status.json"))
        #expect(status.contains(#""state":"idle""#))
    }

    @Test func valuesThatStartWithADashAreTakenAsGiven() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = try await AgentLedgerBinary.runAsync([
            "emit", "info", "--agent", "cls", "--data", "-0", "--summary", "- done", "--root", dir.path,
        ])
        #expect(out.status == 0, "\(out.stderr)")
        let day = try #require(LedgerLayout(root: dir.path).days(agent: "cls").first)
        let e = try EventLine.parse(try #require(TestEvents.lines(dir.join("g/ledger/cls/\(day).jsonl")).first))
        #expect(e.data == .int(0))
        #expect(e.summary == "- done")
    }

    @Test func badInputExitsNonZeroWithOneLineAndWritesNothing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cases: [[String]] = [
            ["emit", "info", "--agent", "../x"],
            ["emit", "info", "--agent", "-rf"],
            ["emit", "Bad Type", "--agent", "cls"],
            ["emit", "info", "--agent", "cls", "--data", "{not json"],
            ["emit", "info", "--agent", "cls", "--data", "[1]", "--set", "a=1"],
            ["emit", "info", "--agent", "cls", "--ts", "yesterday"],
            ["emit", "info", "--agent", "cls", "--set", "novalue"],
            ["emit", "info", "--agent", "cls", "--session", "../../etc"],
        ]
        for args in cases {
            let out = try await AgentLedgerBinary.runAsync(args + ["--root", dir.path])
            #expect(out.status != 0, "\(args)")
            #expect(out.stderr.split(separator: "\n").count >= 1, "\(args)")
            #expect(out.stdout.isEmpty, "\(args)")
        }
        #expect(FileSystem.list(dir.path).isEmpty)
    }

    @Test func aBadSettingIsAClearError() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = try await AgentLedgerBinary.runAsync(
            ["emit", "info", "--agent", "cls", "--root", dir.path],
            environment: ["AGI_EVENT_BUFFER_SIZE": "many"]
        )
        #expect(out.status == 64)
        #expect(out.stderr.contains("AGI_EVENT_BUFFER_SIZE"))
        #expect(FileSystem.list(dir.path).isEmpty)
    }

    @Test func asyncModeFromTheEnvironmentStillWritesBeforeExit() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = try await AgentLedgerBinary.runAsync(
            ["emit", "heartbeat", "--agent", "ops", "--root", dir.path],
            environment: ["AGI_EVENT_ASYNC": "true", "AGI_EVENT_FLUSH_INTERVAL": "5"]
        )
        #expect(out.status == 0, "\(out.stderr)")
        let layout = LedgerLayout(root: dir.path)
        #expect(try LedgerReader(layout: layout).events(agent: "ops").events.count == 1)
    }

    @Test func processesAppendingToOneDayFileNeverInterleave() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Four processes at once, each emitting 60 events one process per event, into the same agent's file,
        // with a fifth and sixth running the in-process bench into that file with large batches.
        var children: [Shell.Child] = []
        for p in 0..<4 {
            let script =
                "for i in $(seq 1 60); do \"$0\" emit info --agent agent-1 --root \"$1\" --set p=\(p) --set i=$i || exit 1; done"
            children.append(try Shell.spawn(["/bin/bash", "-c", script, AgentLedgerBinary.path, dir.path]))
        }
        for _ in 0..<2 {
            children.append(
                try Shell.spawn([
                    AgentLedgerBinary.path, "bench", "--events", "30000", "--agents", "1", "--root", dir.path,
                ])
            )
        }
        for child in children {
            let out = try await child.finish()
            #expect(out.status == 0, "\(out.stderr)")
        }
        let layout = LedgerLayout(root: dir.path)
        var total = 0
        for date in layout.days(agent: "agent-1") {
            let lines = try TestEvents.lines(layout.dayFile(agent: "agent-1", date: date))
            total += lines.count
            for line in lines { #expect((try? EventLine.parse(line)) != nil, "\(line.prefix(120))") }
        }
        #expect(total == 4 * 60 + 2 * 30000)
        let events = try LedgerReader(layout: layout).events(agent: "agent-1").events
        #expect(Set(events.compactMap(\.id)).count == total)
        for p in 0..<4 {
            let seq = events.filter { $0.data["p"]?.intValue == Int64(p) }.compactMap { $0.data["i"]?.intValue }
            #expect(seq == Array(1...60))
        }
    }
}
