import AgentLedger
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Lines that do not parse are skipped by readers and said on stderr, never silently.
@Suite struct MalformedLinesTests {
    /// A ledger with two events of a session around a sealed torn tail, and one status file that is cut short.
    func ledgerWithATornTail() async throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        for args in [
            ["emit", "session_start", "--agent", "cls", "--session", "2025-11-16_cls_001"],
            ["emit", "heartbeat", "--agent", "kim"],
        ] {
            let out = try await AgentLedgerBinary.runAsync(args + ["--root", dir.path])
            #expect(out.status == 0, "\(out.stderr)")
        }
        let day = try #require(LedgerLayout(root: dir.path).days(agent: "cls").first)
        let fd = open(dir.join("g/ledger/cls/\(day).jsonl"), O_WRONLY | O_APPEND)
        let torn = Array(#"{"ts":"2025-11-16T02:1"#.utf8)
        _ = torn.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let out = try await AgentLedgerBinary.runAsync([
            "emit", "session_end", "--agent", "cls", "--session", "2025-11-16_cls_001", "--root", dir.path,
        ])
        #expect(out.status == 0, "\(out.stderr)")
        try FileSystem.writeAtomically(Array(#"{"agent":"kim","sta"#.utf8), to: dir.join("agents/kim/status.json"))
        return dir
    }

    @Test func sessionCommandsSayHowManyLinesTheySkipped() async throws {
        let dir = try await ledgerWithATornTail()
        defer { dir.remove() }
        let list = try await AgentLedgerBinary.runAsync(["session", "list", "--agent", "cls", "--root", dir.path])
        #expect(list.status == 0)
        #expect(list.stderr.contains("skipped 1 malformed line "))
        #expect(list.stdout.contains("2025-11-16_cls_001"))
        let summary = try await AgentLedgerBinary.runAsync([
            "session", "summarize", "2025-11-16_cls_001", "--root", dir.path,
        ])
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stderr.contains("skipped 1 malformed line "))
        #expect(summary.stdout.hasSuffix("2025-11-16_cls_001.md\n"))
    }

    @Test func statusSaysWhichStatusFileItSkipped() async throws {
        let dir = try await ledgerWithATornTail()
        defer { dir.remove() }
        let out = try await AgentLedgerBinary.runAsync(["status", "--json", "--root", dir.path])
        #expect(out.status == 0)
        #expect(out.stderr.contains("skipped \(dir.join("agents/kim/status.json"))"))
        let rows = try JSONParser.parse(out.stdout)
        #expect(rows.arrayValue?.compactMap { $0["agent"]?.stringValue } == ["cls"])
    }
}
