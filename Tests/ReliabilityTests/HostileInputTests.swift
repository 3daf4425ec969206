import AgentLedger
import LedgerTestSupport
import Testing

/// Hostile ids and payloads: each is refused with a clear error, nothing is written inside the root,
/// nothing is made outside it, and nothing crashes.
@Suite struct HostileInputTests {
    static let badAgents = [
        "..", "../x", "a/../b", "a/b", "/etc", "-rf", "--root=/tmp", "a\nb", "a\rb", "a\tb", " cls", "cls ", "",
        "CLS", String(repeating: "a", count: 65), String(repeating: "a", count: 4096),
        "с1s",  // Cyrillic es and a digit one: a look-alike of "cls"
        "cls\u{200B}", "cl\u{0301}s", "ｃｌｓ", "cls\u{202E}", "~cls", "$(id)", "`id`", "cls;rm",
    ]
    static let badSessions = [
        "../../etc", "s/x", "-s", "a\nb", "..", String(repeating: "s", count: 200), "2025-11-16_cls_001/..",
        "séssion", "\u{FF0E}\u{FF0E}",
    ]

    /// Runs bad input through `agent-ledger emit` in a fresh folder; the root must stay empty and the
    /// folder around it must hold nothing but the root.
    func refused(_ args: [String], environment: [String: String?] = [:], mentions: String) async throws {
        let dir = try TemporaryDirectory(prefix: "agent-ledger-hostile")
        defer { dir.remove() }
        let root = dir.join("root")
        try FileSystem.makeDirectories(root)
        let out = try await AgentLedgerBinary.runAsync(args + ["--root", root], environment: environment)
        #expect(out.status == 64, "\(args.map(Identifiers.quoted)): \(out.status) \(out.stderr)")
        #expect(out.stderr.contains(mentions), "\(args.map(Identifiers.quoted)): \(out.stderr)")
        #expect(out.stdout.isEmpty)
        #expect(FileSystem.list(root).isEmpty, "\(args.map(Identifiers.quoted)) wrote \(FileSystem.list(root))")
        #expect(FileSystem.list(dir.path) == ["root"])
    }

    @Test func hostileAgentIdsAreRefused() async throws {
        for agent in Self.badAgents {
            try await refused(["emit", "info", "--agent", agent], mentions: "agent id")
        }
    }

    @Test func hostileSessionIdsAreRefused() async throws {
        for session in Self.badSessions {
            try await refused(["emit", "info", "--agent", "cls", "--session", session], mentions: "session")
        }
    }

    @Test func dataThatIsNotJSONIsRefused() async throws {
        let cases: [(String, String)] = [
            ("{not json", "JSON"), ("{\"a\":NaN}", "JSON"), ("{\"a\":1e999}", "out of range"), ("'single'", "JSON"),
            (String(repeating: "[", count: 100_000), "deeper"), ("{\"a\":1}{\"b\":2}", "after the JSON value"),
            ("\"\\ud800\"", "JSON"), ("", "JSON"),
        ]
        for (data, mention) in cases {
            try await refused(["emit", "info", "--agent", "cls", "--data", data], mentions: mention)
        }
    }

    @Test func anEventOverTheSizeCapIsRefused() async throws {
        try await refused(
            ["emit", "info", "--agent", "cls", "--data", "\"\(String(repeating: "x", count: 100_000))\""],
            environment: ["AGENT_LEDGER_EVENT_MAX_BYTES": "4096"],
            mentions: "limit"
        )
    }

    @Test func hostileEventsInProcessAreRefusedCountedAndNeverCrash() async throws {
        let dir = try TemporaryDirectory(prefix: "agent-ledger-hostile")
        defer { dir.remove() }
        var config = LedgerConfiguration()
        config.root = dir.join("root")
        config.async = true
        config.shutdownTimeout = 300
        let ledger = try Ledger(configuration: config)
        var refusedCount: UInt64 = 0
        for agent in Self.badAgents + ["a\u{0}b", "cls\u{0}/../../x"] {
            #expect(!ledger.emit("info", agent: agent))
            refusedCount += 1
        }
        for session in Self.badSessions + ["s\u{0}x"] {
            #expect(!ledger.emit("info", agent: "cls", sessionID: session))
            refusedCount += 1
        }
        var deep: JSONValue = 1
        for _ in 0..<10_000 { deep = .array([deep]) }
        let payloads: [JSONValue] = [
            ["x": .double(.nan)], ["x": .double(.infinity)], .array([.double(-.infinity)]), deep,
            .string(String(repeating: "x", count: 2 << 20)),
        ]
        for data in payloads {
            #expect(!ledger.emit("info", agent: "cls", data: data))
            refusedCount += 1
        }
        #expect(!ledger.emit("info", agent: "cls", taskID: String(repeating: "t", count: 300)))
        refusedCount += 1
        #expect(ledger.rejectedCount == refusedCount)
        #expect(ledger.lastRejectionReason != nil)
        // A good event afterwards still goes through: the refusals left no state behind.
        #expect(ledger.emit("info", agent: "cls", data: ["text": "ok \u{0} \u{202E} ..\\/"]))
        let report = await ledger.shutdown()
        #expect(report.statistics.written == 1)
        let events = try LedgerReader(layout: LedgerLayout(root: config.root)).events(agent: "cls").events
        #expect(events.map(\.data) == [["text": "ok \u{0} \u{202E} ..\\/"]])
        #expect(FileSystem.list("\(config.root)/g/ledger") == ["cls"])
    }

    @Test func hostileBytesNeverCrashTheParsers() throws {
        let inputs: [[UInt8]] = [
            [0xFF, 0xFE], [0x22, 0xC3, 0x28, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
            [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x80],
            Array(repeating: UInt8(ascii: "["), count: 1_000_000),
            Array(repeating: UInt8(ascii: "{"), count: 1_000_000),
            Array(#"{"ts":"2025-11-16T02:12:34.123+07:00","agent":"cls","event":"info","data":{"a":"\u0000"}}"#.utf8)
                + [0xC0, 0x80],
            [],
        ]
        for bytes in inputs {
            #expect(throws: LedgerError.self) { try JSONParser.parse(bytes) }
            #expect(throws: LedgerError.self) { try EventLine.parse(bytes) }
        }
    }
}
