import LedgerCore
import LedgerStore
import LedgerTestSupport
import Synchronization
import Testing

@testable import LedgerRuntime

#if canImport(Glibc)
import Glibc
#endif

@Suite struct LedgerArchivingTests {
    @Test func archiveSettingsComeFromTheEnvironmentAndTheFile() async throws {
        let defaults = try await LedgerConfiguration.load(environment: [:], configFile: nil)
        #expect(defaults.archive)
        #expect(defaults.archiveAfterDays == 1)
        #expect(defaults.archiveRetentionDays == nil)
        let env = try await LedgerConfiguration.load(
            environment: [
                "AGENT_LEDGER_ARCHIVE": "false", "AGENT_LEDGER_ARCHIVE_AFTER_DAYS": "3",
                "AGENT_LEDGER_ARCHIVE_RETENTION_DAYS": "90",
            ],
            configFile: nil
        )
        #expect(!env.archive)
        #expect(env.archiveOptions == ArchiveOptions(afterDays: 3, retentionDays: 90))
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.join("agent-ledger.json")
        try FileSystem.writeAtomically(Array(#"{"archive":{"after_days":2,"retention_days":"off"}}"#.utf8), to: file)
        let fromFile = try await LedgerConfiguration.load(environment: [:], configFile: file)
        #expect(fromFile.archiveAfterDays == 2)
        #expect(fromFile.archiveRetentionDays == nil)
        for bad in [
            ["AGENT_LEDGER_ARCHIVE_AFTER_DAYS": "-2"], ["AGENT_LEDGER_ARCHIVE_RETENTION_DAYS": "0"],
            ["AGENT_LEDGER_ARCHIVE_AFTER_DAYS": "5", "AGENT_LEDGER_ARCHIVE_RETENTION_DAYS": "5"],
            ["AGENT_LEDGER_ARCHIVE": "maybe"],
        ] {
            await #expect(throws: LedgerError.self, "\(bad)") {
                _ = try await LedgerConfiguration.load(environment: bad, configFile: nil)
            }
        }
    }

    @Test func theRunningLedgerArchivesOldDaysBesideItsWrites() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let old = TestEvents.dayLines(500)
        try FileSystem.makeDirectories(layout.agentDirectory("cls"))
        try FileSystem.writeAtomically(old, to: layout.agentDirectory("cls") + "/2025-11-16.jsonl")
        let archive = layout.agentDirectory("cls") + "/2025-11-16.jsonl.gz"
        let config = asyncConfig(dir.path) { $0.archive = true }
        let (_, report) = try await Ledger.withLedger(configuration: config) { ledger in
            ledger.emit("info", agent: "cls", summary: "written while the archiver works")
            #expect(await ledger.flush())
            // The archiver works on its own queue; wait for its result on disk.
            for _ in 0..<1200 where FileSystem.exists(layout.agentDirectory("cls") + "/2025-11-16.jsonl") {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(report.complete)
        #expect(!FileSystem.exists(layout.agentDirectory("cls") + "/2025-11-16.jsonl"))
        #expect(try GzipTestSupport.decompress(archive) == old)
        // Today's file is the writer's and stays plain.
        let today = try LedgerTimeZone.parse("+07:00").localDate(of: .now)
        #expect(FileSystem.exists(layout.dayFile(agent: "cls", date: today)))
    }
}

extension LedgerArchivingTests {
    /// A clock the test moves by hand.
    final class HandClock: TimeSource {
        let current: Mutex<Timestamp>
        init(_ t: Timestamp) { current = Mutex(t) }
        func now() -> Timestamp { current.withLock { $0 } }
        func set(_ t: Timestamp) { current.withLock { $0 = t } }
    }

    @Test func theArchiverRunsAgainWhenTheLocalDateChanges() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let plain = layout.agentDirectory("cls") + "/2025-11-16.jsonl"
        try FileSystem.makeDirectories(layout.agentDirectory("cls"))
        let lines = TestEvents.dayLines(100)
        try FileSystem.writeAtomically(lines, to: plain)
        // A second before midnight on the 17th: the 16th is yesterday and stays plain.
        let clock = HandClock(TimestampFormat.parseISO8601("2025-11-17T23:59:59.000+07:00")!.timestamp)
        let encoder = EventEncoder(timeZone: try LedgerTimeZone.parse("+07:00"), timeSource: clock)
        let archiver = Archiver(DayArchiver(layout: layout))
        let loop = Task { await Ledger.archiveLoop(archiver, encoder: encoder) }
        defer { loop.cancel() }
        var first: ArchiveReport?
        for _ in 0..<1200 {
            first = await archiver.lastReport
            if first != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(first?.archived.isEmpty == true)
        #expect(FileSystem.exists(plain))
        // Midnight passes: the 16th is now two days old.
        clock.set(TimestampFormat.parseISO8601("2025-11-18T00:00:01.000+07:00")!.timestamp)
        var second: ArchiveReport?
        for _ in 0..<3000 {
            second = await archiver.lastReport
            if second?.archived.isEmpty == false { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(second?.archived.map(\.source) == [plain])
        #expect(!FileSystem.exists(plain))
        #expect(try GzipTestSupport.decompress(plain + ".gz") == lines)
    }
}

enum GzipTestSupport {
    static func decompress(_ path: String) throws -> [UInt8] {
        let cursor = LineCursor(try GzipReader(path: path))
        var out: [UInt8] = []
        while let line = try cursor.nextLine() {
            out += line
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}
