import LedgerCore
import LedgerRuntime
import LedgerStore
import LedgerTestSupport
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsAreDocumented() async throws {
        let c = try await LedgerConfiguration.load(environment: [:], configFile: nil)
        #expect(c.root == ".")
        #expect(c.async == false)
        #expect(c.bufferSize == 65_536)
        #expect(c.flushInterval == 0.2)
        #expect(c.fsync == .none)
        #expect(c.overflow == .block)
    }

    @Test func theSeedsNamesWorkAsWritten() async throws {
        let c = try await LedgerConfiguration.load(
            environment: [
                "AGI_EVENT_ASYNC": "true", "AGI_EVENT_BUFFER_SIZE": "100", "AGI_EVENT_FLUSH_INTERVAL": "5",
                "AGI_LEDGER_PATH": "/tmp/x/resonance_ledger.jsonl", "AGENT_LEDGER_ROOT": "/tmp/ledger",
                "AGENT_LEDGER_FSYNC": "batch", "AGENT_LEDGER_OVERFLOW": "dropOldest", "AGENT_LEDGER_BUFFER_BYTES": "8m",
            ],
            configFile: nil
        )
        #expect(c.async)
        #expect(c.bufferSize == 100)
        #expect(c.flushInterval == 5)
        #expect(c.ledgerPath == "/tmp/x/resonance_ledger.jsonl")
        #expect(c.root == "/tmp/ledger")
        #expect(c.fsync == .batch)
        #expect(c.overflow == .dropOldest)
        #expect(c.bufferBytes == 8 << 20)
    }

    @Test func flagsWinOverEnvironmentWhichWinsOverTheFile() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.join("agent-ledger.json")
        try FileSystem.writeAtomically(
            Array(#"{"root":"/from/file","event":{"batch_size":123,"flush_interval":0.5,"async":true}}"#.utf8),
            to: file
        )
        let c = try await LedgerConfiguration.load(
            overrides: ["root": "/from/flag"],
            environment: ["AGI_EVENT_FLUSH_INTERVAL": "250ms", "AGENT_LEDGER_CONFIG": file],
            configFile: nil
        )
        #expect(c.root == "/from/flag")
        #expect(c.flushInterval == 0.25)
        #expect(c.batchSize == 123)
        #expect(c.async)
    }

    @Test func aBadValueIsAnErrorNamingTheKey() async throws {
        let cases: [(String, String, String)] = [
            ("AGI_EVENT_ASYNC", "maybe", "AGI_EVENT_ASYNC"),
            ("AGI_EVENT_BUFFER_SIZE", "lots", "AGI_EVENT_BUFFER_SIZE"),
            ("AGI_EVENT_BUFFER_SIZE", "0", "event.buffer_size"),
            ("AGI_EVENT_FLUSH_INTERVAL", "-1", "AGI_EVENT_FLUSH_INTERVAL"),
            ("AGENT_LEDGER_FSYNC", "sometimes", "AGENT_LEDGER_FSYNC"),
            ("AGENT_LEDGER_TIME_ZONE", "Nowhere/City", "ledger.time_zone"),
            ("AGI_LEDGER_PATH", "/tmp/ledger.txt", "AGI_LEDGER_PATH"),
        ]
        for (name, value, mention) in cases {
            do {
                _ = try await LedgerConfiguration.load(environment: [name: value], configFile: nil)
                Issue.record("\(name)=\(value) was accepted")
            } catch {
                #expect(error.code == .invalidConfiguration)
                #expect(error.message.contains(mention), "\(error.message)")
            }
        }
    }

    @Test func aMissingConfigFileNamedExplicitlyIsAnError() async {
        await #expect(throws: LedgerError.self) {
            _ = try await LedgerConfiguration.load(
                environment: ["AGENT_LEDGER_CONFIG": "/nonexistent/cfg.json"],
                configFile: nil
            )
        }
    }

    @Test func sizesAndTimesParse() {
        #expect(LedgerConfiguration.parseSize("64k") == 65536)
        #expect(LedgerConfiguration.parseSize("1_000") == 1000)
        #expect(LedgerConfiguration.parseSize("2MiB") == 2 << 20)
        #expect(LedgerConfiguration.parseSize("x") == nil)
        #expect(LedgerConfiguration.parseSeconds("200ms") == 0.2)
        #expect(LedgerConfiguration.parseSeconds("2m") == 120)
        #expect(LedgerConfiguration.parseSeconds("-1") == nil)
    }
}
