import LedgerCore
import LedgerRuntime
import LedgerStore
import LedgerTestSupport
import Testing

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
