import AgentLedger
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Serialized: each crash case starts several processes, and fourteen at once on a small machine would
/// starve the timing-sensitive tests that run beside them.
@Suite(.serialized) struct ArchiveCommandTests {
    /// Writes a plain day file of an agent; returns its bytes.
    @discardableResult
    static func writeDay(_ root: String, agent: String = "cls", _ date: String, _ bytes: [UInt8]) throws -> [UInt8] {
        try TestFiles.append(bytes, to: "\(LedgerLayout(root: root).agentDirectory(agent))/\(date).jsonl")
        return bytes
    }

    static func zcat(_ path: String) async throws -> [UInt8] {
        #expect(try await Shell.runAsync(["gzip", "-t", path]).status == 0, "gzip -t \(path)")
        let out = path + ".zcat"
        #expect(try await Shell.runAsync(["sh", "-c", "zcat -- \"$1\" > \"$2\"", "sh", path, out]).status == 0)
        defer { unlink(out) }
        return try Shell.readBytes(out)
    }

    /// The day's bytes as readers see them: `stream --json` over the whole ledger.
    static func streamed(_ root: String) async throws -> [UInt8] {
        let out = try await AgentLedgerBinary.runAsync(["stream", "--json", "--root", root])
        #expect(out.status == 0, "\(out.stderr)")
        return Array(out.stdout.utf8)
    }

    @Test func archivesOnDemandWithASummaryAndDryRun() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let old = try Self.writeDay(dir.path, "2025-11-16", TestEvents.dayLines(3000))
        let dry = try await AgentLedgerBinary.runAsync(["archive", "--dry-run", "--root", dir.path])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would archive"))
        #expect(dry.stdout.contains("nothing changed"))
        #expect(FileSystem.list(dir.join("g/ledger/cls")) == ["2025-11-16.jsonl"])
        // Not a terminal: no progress bar on stderr.
        let run = try await AgentLedgerBinary.runAsync(["archive", "--root", dir.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Archived 1 day file"))
        #expect(run.stderr.isEmpty)
        #expect(FileSystem.list(dir.join("g/ledger/cls")) == ["2025-11-16.jsonl.gz"])
        #expect(try await Self.zcat(dir.join("g/ledger/cls/2025-11-16.jsonl.gz")) == old)
        let again = try await AgentLedgerBinary.runAsync(["archive", "--root", dir.path])
        #expect(again.stdout.contains("Nothing to archive"))
    }

    @Test func showsAProgressBarOnlyOnATerminal() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let day = try Self.writeDay(dir.path, "2025-11-16", TestEvents.dayLines(2000))
        // `script` gives the command a real pseudo-terminal for stdout and stderr.
        let out = try await Shell.runAsync(
            ["script", "-qec", "'\(AgentLedgerBinary.path)' archive --root '\(dir.path)'", "/dev/null"],
            environment: ["TERM": "xterm"]
        )
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("] 100%  file 1/1  2025-11-16.jsonl"))
        #expect(out.stdout.contains("Archived 1 day file"))
        #expect(try await Self.zcat(dir.join("g/ledger/cls/2025-11-16.jsonl.gz")) == day)
    }

    @Test func badSettingsAreRefusedAndChangeNothing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeDay(dir.path, "2025-11-16", TestEvents.dayLines(10))
        let cases: [([String], [String: String?])] = [
            (["archive", "--after-days", "-1"], [:]),
            (["archive"], ["AGENT_LEDGER_ARCHIVE_AFTER_DAYS": "soon"]),
            (["archive"], ["AGENT_LEDGER_ARCHIVE_RETENTION_DAYS": "1"]),
            (["archive"], ["AGENT_LEDGER_ARCHIVE_RETENTION_DAYS": "a week"]),
        ]
        for (args, env) in cases {
            let out = try await AgentLedgerBinary.runAsync(args + ["--root", dir.path], environment: env)
            #expect(out.status == 64, "\(args) \(env): \(out.stderr)")
            #expect(out.stderr.contains("archive."), "\(out.stderr)")
        }
        #expect(FileSystem.list(dir.join("g/ledger/cls")) == ["2025-11-16.jsonl"])
    }

    /// Kills `agent-ledger archive` with SIGKILL right after each step, then checks that the day is
    /// whole (the plain file, or a verified archive), that readers see every event once, and that the
    /// next run finishes the job.
    @Test(arguments: ArchiveStep.allCases)
    func aCrashAtEachStepLosesNothing(step: ArchiveStep) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cls = dir.join("g/ledger/cls")
        // Big enough that compressed bytes reach the file before the end (the partly-written step).
        let day = try Self.writeDay(dir.path, "2025-11-16", TestEvents.dayLines(4000))
        let other = try Self.writeDay(dir.path, agent: "andy", "2025-11-15", TestEvents.dayLines(50, agent: "andy"))
        let before = try await Self.streamed(dir.path)
        #expect(before.count == day.count + other.count)

        let crashed = try await AgentLedgerBinary.runAsync(
            ["archive", "--root", dir.path],
            environment: ["AGENT_LEDGER_ARCHIVE_CRASH_AFTER": step.rawValue]
        )
        #expect(crashed.status == 128 + SIGKILL, "\(step): \(crashed.stderr)")
        let plain = "\(cls)/2025-11-16.jsonl"
        let archive = plain + ".gz"
        // Never neither: the plain file whole, or an archive that decompresses to it.
        if FileSystem.exists(plain) {
            #expect(try Shell.readBytes(plain) == day, "\(step)")
        } else {
            #expect(try await Self.zcat(archive) == day, "\(step)")
        }
        if FileSystem.exists(archive) { #expect(try await Self.zcat(archive) == day, "\(step)") }
        // Readers see each event once, whatever the crash left.
        let during = try await Self.streamed(dir.path)
        #expect(during.sorted() == before.sorted(), "\(step)")

        let recovered = try await AgentLedgerBinary.runAsync(["archive", "--root", dir.path])
        #expect(recovered.status == 0, "\(step): \(recovered.stderr)")
        #expect(FileSystem.list(cls) == ["2025-11-16.jsonl.gz"], "\(step)")
        #expect(try await Self.zcat(archive) == day, "\(step)")
        #expect(try await Self.streamed(dir.path) == before, "\(step)")
    }

    /// The same for late events going in as a second member of an existing archive.
    @Test(arguments: ArchiveStep.allCases)
    func aCrashWhileAppendingLateEventsLosesNothing(step: ArchiveStep) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cls = dir.join("g/ledger/cls")
        let first = try Self.writeDay(dir.path, "2025-11-16", TestEvents.dayLines(2000))
        #expect(try await AgentLedgerBinary.runAsync(["archive", "--root", dir.path]).status == 0)
        let late = try Self.writeDay(dir.path, "2025-11-16", TestEvents.dayLines(3000, after: 7200))
        let before = try await Self.streamed(dir.path)
        #expect(before.count == first.count + late.count)

        let crashed = try await AgentLedgerBinary.runAsync(
            ["archive", "--root", dir.path],
            environment: ["AGENT_LEDGER_ARCHIVE_CRASH_AFTER": step.rawValue]
        )
        #expect(crashed.status == 128 + SIGKILL, "\(step): \(crashed.stderr)")
        let plain = "\(cls)/2025-11-16.jsonl"
        let archive = plain + ".gz"
        let archived = try await Self.zcat(archive)
        #expect(archived == first || archived == first + late, "\(step)")
        if archived == first { #expect(try Shell.readBytes(plain) == late, "\(step)") }
        let during = try await Self.streamed(dir.path)
        #expect(during.sorted() == before.sorted(), "\(step)")

        let recovered = try await AgentLedgerBinary.runAsync(["archive", "--root", dir.path])
        #expect(recovered.status == 0, "\(step): \(recovered.stderr)")
        #expect(FileSystem.list(cls) == ["2025-11-16.jsonl.gz"], "\(step)")
        #expect(try await Self.zcat(archive) == first + late, "\(step)")
        #expect(try await Self.streamed(dir.path) == before, "\(step)")
    }
}
