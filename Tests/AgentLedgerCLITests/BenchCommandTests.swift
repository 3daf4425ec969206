import AgentLedger
import LedgerTestSupport
import Testing

@Suite struct BenchCommandTests {
    @Test(arguments: [
        (["--buffer-size", "0"], "--buffer-size"),
        (["--buffer-bytes", "100"], "--buffer-bytes"),
        (["--batch-size", "0"], "--batch-size"),
        (["--verify-only"], "--verify-only needs --root"),
        (["--record-delay", "--producers", "2"], "--record-delay uses one producer"),
        (["--record-delay", "--rate", "0"], "--rate"),
        (["--overflow", "sideways"], "dropNewest"),
        (["--flush-interval", "soon"], "seconds"),
        (["--block-timeout", "forever"], "seconds"),
    ])
    func badOptionsAreRefusedAndWriteNothing(arguments: [String], message: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let root = dir.join("root")
        let rootArgs = arguments == ["--verify-only"] ? [] : ["--root", root]
        let out = try await AgentLedgerBinary.runAsync(["bench", "--events", "10"] + arguments + rootArgs)
        #expect(out.status == 64, "\(out.stdout) \(out.stderr)")
        #expect(out.stderr.contains(message), "\(out.stderr)")
        #expect(!FileSystem.exists(root))
    }

    @Test func jsonReportsTheSettingsDropsMemoryAndVerification() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = try await AgentLedgerBinary.runAsync([
            "bench", "--events", "3000", "--agents", "3", "--producers", "2", "--root", dir.path, "--verify",
            "--json", "--flush-interval", "0.05", "--buffer-size", "512", "--buffer-bytes", "2097152", "--batch-size",
            "256",
            "--overflow", "dropNewest", "--block-timeout", "2s",
        ])
        #expect(out.status == 0, "\(out.stderr)")
        let report = try JSONParser.parse(out.stdout)
        #expect(report["verified"] == true)
        #expect(report["events"] == 3000)
        #expect(report["agents"] == 3)
        #expect(report["producers"] == 2)
        #expect(report["flush_interval"]?.doubleValue == 0.05)
        #expect(report["buffer_size"] == 512)
        #expect(report["batch_size"] == 256)
        #expect(report["buffer_bytes"] == 2_097_152)
        #expect(report["overflow"] == "dropNewest")
        #expect(report["block_timeout"]?.doubleValue == 2)
        let dropped = try #require(report["dropped"]?.intValue)
        let written = try #require(report["written"]?.intValue)
        // Every event is written or dropped, and the ledger records each drop.
        #expect(report["recorded_dropped"]?.intValue == dropped)
        #expect(written + dropped >= 3000)
        #expect((report["peak_rss_bytes"]?.intValue ?? 0) > 0)
        for key in ["events_per_sec", "p50_ns", "p99_ns", "p999_ns", "max_ns", "bytes_written", "seconds"] {
            #expect(report[key] != nil, "\(key) missing")
        }
    }

    @Test func verificationCatchesAMissingLine() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let write = try await AgentLedgerBinary.runAsync([
            "bench", "--events", "2000", "--root", dir.path, "--verify", "--json",
        ])
        #expect(write.status == 0, "\(write.stderr)")
        let check = ["bench", "--verify-only", "--events", "2000", "--root", dir.path]
        let good = try await AgentLedgerBinary.runAsync(check + ["--json"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try JSONParser.parse(good.stdout)["found"] == 2000)

        // Take one task_result line out of agent-2's day file.
        let folder = dir.join("g/ledger/agent-2")
        let day = try #require(FileSystem.list(folder).first { $0.hasSuffix(".jsonl") })
        let path = "\(folder)/\(day)"
        var lines = try readFile(path).split(separator: "\n", omittingEmptySubsequences: true)
        let victim = try #require(lines.firstIndex { $0.contains("\"task_result\"") })
        lines.remove(at: victim)
        try FileSystem.writeAtomically(Array((lines.joined(separator: "\n") + "\n").utf8), to: path)

        let bad = try await AgentLedgerBinary.runAsync(check)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("verification failed"), "\(bad.stderr)")
        #expect(bad.stderr.contains("1999 of 2000"), "\(bad.stderr)")
    }

    @Test func recordDelayReportsEveryLineSeen() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = try await AgentLedgerBinary.runAsync([
            "bench", "--record-delay", "--events", "200", "--rate", "2000", "--flush-interval", "0.02",
            "--root", dir.path, "--json",
        ])
        #expect(out.status == 0, "\(out.stderr)")
        let report = try JSONParser.parse(out.stdout)
        #expect(report["seen"] == 200)
        #expect(report["rate"] == 2000)
        #expect(report["flush_interval"]?.doubleValue == 0.02)
        let p50 = try #require(report["delay_p50_ns"]?.intValue)
        let p99 = try #require(report["delay_p99_ns"]?.intValue)
        #expect(p50 <= p99)
        #expect(report["delay_max_ns"] != nil)
    }
}
