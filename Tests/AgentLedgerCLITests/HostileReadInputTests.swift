import AgentLedger
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Reading and archiving commands against what a hostile or careless hand leaves in a ledger root.
@Suite struct HostileReadInputTests {
    /// A symlink planted inside the root never leads `archive` to compress or remove files outside it.
    @Test func archiveLeavesAFolderBehindASymlinkAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let outside = dir.join("outside")
        try FileSystem.makeDirectories(outside)
        let day = Array(EventLine.bytes(TestEvents.event("info", agent: "notes")))
        try FileSystem.writeAtomically(day, to: outside + "/2024-01-01.jsonl")
        let layout = LedgerLayout(root: dir.join("root"))
        try FileSystem.makeDirectories(layout.ledgerDirectory)
        #expect(symlink(outside, layout.agentDirectory("notes")) == 0)
        let out = try await AgentLedgerBinary.runAsync(["archive", "--root", layout.root])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(try Shell.readBytes(outside + "/2024-01-01.jsonl") == day)
        #expect(!FileSystem.exists(outside + "/2024-01-01.jsonl.gz"))
        #expect(!layout.agents().contains("notes"))
    }

    /// Ages and times out of range are usage errors, and a day file dated far in the future is read
    /// past, not a crash.
    @Test func outOfRangeTimesAreRefusedOrSkipped() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for since in ["200000d", "1e12s"] {
            let out = try await AgentLedgerBinary.runAsync(["stream", "--since", since, "--json", "--root", dir.path])
            #expect(out.status == 64, "\(since): \(out.stderr)")
            #expect(out.stderr.contains("--since"))
        }
        let layout = LedgerLayout(root: dir.path)
        try FileSystem.makeDirectories(layout.agentDirectory("cls"))
        let line = Array(EventLine.bytes(TestEvents.event("info", agent: "cls")))
        try FileSystem.writeAtomically(line, to: layout.agentDirectory("cls") + "/3000-01-01.jsonl")
        let out = try await AgentLedgerBinary.runAsync(["stream", "--since", "1h", "--json", "--root", dir.path])
        #expect(out.status == 0, "\(out.stderr)")
    }

    /// A telemetry line with its time in milliseconds is reported as malformed, never a crash.
    @Test func migrateReportsATimeInMilliseconds() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let buffer = dir.join("buffer.jsonl")
        try FileSystem.writeAtomically(
            Array(
                (#"{"timestamp":1763337600000,"event":"heartbeat"}"# + "\n"
                    + #"{"ts_unix":1763337600,"event":"heartbeat"}"# + "\n").utf8
            ),
            to: buffer
        )
        let out = try await AgentLedgerBinary.runAsync([
            "migrate", buffer, "--agent", "cls", "--root", dir.join("root"),
        ])
        #expect(out.status == 1, "\(out.stderr)")
        #expect(out.stderr.contains("out of range") || out.stdout.contains("out of range"))
        let events = try LedgerReader(layout: LedgerLayout(root: dir.join("root"))).events(agent: "cls").events
        #expect(events.count == 1)
    }
}
