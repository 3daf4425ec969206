import LedgerCore
import LedgerStore
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct DayArchiverTests {
    let today = CivilDate("2025-11-20")!

    /// Writes a plain day file of `count` lines for `date` into `folder`; returns its bytes.
    @discardableResult
    static func writeDay(_ folder: String, _ date: String, count: Int, prefix: String = "") throws -> [UInt8] {
        let bytes = GzipTests.ledgerBytes(count)
        try TestFiles.append(bytes, to: "\(folder)/\(prefix)\(date).jsonl")
        return bytes
    }

    static func zcat(_ path: String) throws -> [UInt8] {
        #expect(try Shell.run(["gzip", "-t", path]).status == 0, "gzip -t \(path)")
        let out = path + ".zcat"
        #expect(try Shell.run(["sh", "-c", "zcat -- \"$1\" > \"$2\"", "sh", path, out]).status == 0)
        defer { unlink(out) }
        return try Shell.readBytes(out)
    }

    @Test func archivesOldDaysInEveryFolderAndLeavesTheRestAlone() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let old = try Self.writeDay(layout.agentDirectory("cls"), "2025-11-17", count: 2000)
        try Self.writeDay(layout.agentDirectory("cls"), "2025-11-19", count: 10)  // yesterday: stays
        try Self.writeDay(layout.agentDirectory("cls"), "2025-11-20", count: 10)  // today: stays
        let commands = try Self.writeDay(dir.join("agents/cls/commands"), "2025-11-01", count: 50)
        let events = try Self.writeDay(dir.join("state/events"), "2025-10-01", count: 50)
        let rotated = try Self.writeDay(dir.join("single"), "2025-11-02", count: 50, prefix: "ledger.")
        // Not day files: never touched.
        try FileSystem.writeAtomically(Array("x".utf8), to: layout.agentDirectory("cls") + "/notes.jsonl")
        try FileSystem.writeAtomically(Array("{}".utf8), to: dir.join("agents/cls/status.json"))
        try FileSystem.writeAtomically(Array("x\n".utf8), to: dir.join("single/ledger.jsonl"))

        let archiver = DayArchiver(layout: layout, ledgerPath: dir.join("single/ledger.jsonl"))
        let report = archiver.run(today: today)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.archived.count == 4)
        #expect(report.bytesIn == Int64(old.count + commands.count + events.count + rotated.count))
        #expect(report.bytesOut > 0 && report.bytesOut < report.bytesIn / 4)

        let cls = layout.agentDirectory("cls")
        #expect(try Self.zcat("\(cls)/2025-11-17.jsonl.gz") == old)
        #expect(try Self.zcat(dir.join("agents/cls/commands/2025-11-01.jsonl.gz")) == commands)
        #expect(try Self.zcat(dir.join("state/events/2025-10-01.jsonl.gz")) == events)
        #expect(try Self.zcat(dir.join("single/ledger.2025-11-02.jsonl.gz")) == rotated)
        #expect(
            FileSystem.list(cls) == [
                "2025-11-17.jsonl.gz", "2025-11-19.jsonl", "2025-11-20.jsonl", "notes.jsonl",
            ]
        )
        #expect(FileSystem.list(dir.join("single")) == ["ledger.2025-11-02.jsonl.gz", "ledger.jsonl"])
        #expect(FileSystem.list(dir.join("agents/cls")) == ["commands", "status.json"])

        // A second run finds nothing to do.
        let again = archiver.run(today: today)
        #expect(again.archived.isEmpty && again.recovered.isEmpty && again.failures.isEmpty)
    }

    @Test func lateEventsBecomeAVerifiedSecondMember() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let date = CivilDate("2025-11-16")!
        let first = try Self.writeDay(layout.agentDirectory("cls"), "\(date)", count: 500)
        let archiver = DayArchiver(layout: layout)
        #expect(archiver.run(today: today).archived.count == 1)
        // A late event for the archived day: the writer makes a new plain file for it.
        let writer = DayFileWriter(layout: layout, agent: "cls", fsyncPolicy: .none)
        let late = EventLine.bytes(TestEvents.event("info", summary: "late"))
        try writer.append(late, date: date)
        writer.close()
        #expect(try Shell.readBytes(layout.dayFile(agent: "cls", date: date)) == late)

        let report = archiver.run(today: today)
        #expect(report.archived.count == 1)
        #expect(report.archived.first?.appended == true)
        let archive = layout.dayFile(agent: "cls", date: date) + ".gz"
        #expect(try Self.zcat(archive) == first + late)
        #expect(!FileSystem.exists(layout.dayFile(agent: "cls", date: date)))
        let reader = try GzipReader(path: archive, tracksChecksums: true)
        try reader.readToEnd()
        #expect(reader.members.count == 2)
    }

    @Test func recoveryFinishesOrRollsBackWhatACrashLeft() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let cls = layout.agentDirectory("cls")

        // A half-written temporary archive beside its plain file: removed, then archived afresh.
        let a = try Self.writeDay(cls, "2025-11-10", count: 300)
        try FileSystem.writeAtomically([0x1F, 0x8B, 8, 0, 0, 0], to: "\(cls)/2025-11-10.jsonl.gz.tmp")
        // A temporary archive whose plain file is gone (cannot happen in order, handled anyway).
        try FileSystem.writeAtomically([0x1F, 0x8B], to: "\(cls)/2025-11-09.jsonl.gz.tmp")
        // Archive and plain file both there, the archive holding exactly the plain bytes: a crash after the rename.
        let b = try Self.writeDay(cls, "2025-11-11", count: 300)
        try Shell.run(["sh", "-c", "gzip -c -- \"$1\" > \"$1.gz\"", "sh", "\(cls)/2025-11-11.jsonl"])
        // A corrupt archive beside a plain file: set aside, the plain file archived.
        let c = try Self.writeDay(cls, "2025-11-12", count: 300)
        try FileSystem.writeAtomically([0x1F, 0x8B, 8, 0, 1, 2, 3], to: "\(cls)/2025-11-12.jsonl.gz")
        // Both there on a recent day (not to archive yet): the leftover plain file still goes.
        let d = try Self.writeDay(cls, "2025-11-19", count: 30)
        try Shell.run(["sh", "-c", "gzip -c -- \"$1\" > \"$1.gz\"", "sh", "\(cls)/2025-11-19.jsonl"])

        let report = DayArchiver(layout: layout).run(today: today)
        #expect(report.failures.isEmpty, "\(report.failures)")
        let actions = Set(report.recovered.map { "\(FileSystem.baseName($0.path)) \($0.action.rawValue)" })
        #expect(
            actions == [
                "2025-11-10.jsonl.gz.tmp removed-temporary", "2025-11-09.jsonl.gz.tmp removed-temporary",
                "2025-11-11.jsonl removed-archived-plain", "2025-11-12.jsonl.gz.corrupt set-aside-corrupt",
                "2025-11-19.jsonl removed-archived-plain",
            ]
        )
        #expect(try Self.zcat("\(cls)/2025-11-10.jsonl.gz") == a)
        #expect(try Self.zcat("\(cls)/2025-11-11.jsonl.gz") == b)
        #expect(try Self.zcat("\(cls)/2025-11-12.jsonl.gz") == c)
        #expect(try Self.zcat("\(cls)/2025-11-19.jsonl.gz") == d)
        #expect(
            FileSystem.list(cls) == [
                "2025-11-10.jsonl.gz", "2025-11-11.jsonl.gz", "2025-11-12.jsonl.gz", "2025-11-12.jsonl.gz.corrupt",
                "2025-11-19.jsonl.gz",
            ]
        )
    }

    /// A crash after the rename left the plain file beside its archive, and lines were appended to it
    /// before the next run: only those lines become the new member, so no event is archived twice.
    @Test func linesAppendedAfterACrashAfterTheRenameAreArchivedOnce() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let cls = layout.agentDirectory("cls")
        let first = try Self.writeDay(cls, "2025-11-11", count: 300)
        try Shell.run(["sh", "-c", "gzip -c -- \"$1\" > \"$1.gz\"", "sh", "\(cls)/2025-11-11.jsonl"])
        let more = try Self.writeDay(cls, "2025-11-11", count: 5)

        let report = DayArchiver(layout: layout).run(today: today)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(try Self.zcat("\(cls)/2025-11-11.jsonl.gz") == first + more)
        #expect(FileSystem.list(cls) == ["2025-11-11.jsonl.gz"])
    }

    @Test func retentionDeletesOnlyOldArchivesTheLedgerMade() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let cls = layout.agentDirectory("cls")
        try Self.writeDay(cls, "2025-10-01", count: 5)
        try Self.writeDay(cls, "2025-11-15", count: 5)
        for name in ["2025-09-01.jsonl.gz.bak", "backup.jsonl.gz", "2025-09-01.txt.gz", "2025-09-01.jsonl.gz.corrupt"] {
            try FileSystem.writeAtomically(Array("keep".utf8), to: "\(cls)/\(name)")
        }
        var options = ArchiveOptions(retentionDays: 30)
        options.dryRun = true
        let dry = DayArchiver(layout: layout, options: options).run(today: today)
        #expect(dry.archived.count == 2)
        #expect(dry.deleted.isEmpty)  // the 2025-10-01 archive does not exist yet
        #expect(FileSystem.list(cls).filter { $0.hasSuffix(".jsonl") }.count == 2)

        options.dryRun = false
        let first = DayArchiver(layout: layout, options: options).run(today: today)
        #expect(first.archived.count == 2)
        // The next run deletes the archive older than 30 days, and nothing else.
        let second = DayArchiver(layout: layout, options: options).run(today: today)
        #expect(second.deleted == ["\(cls)/2025-10-01.jsonl.gz"])
        #expect(
            FileSystem.list(cls) == [
                "2025-09-01.jsonl.gz.bak", "2025-09-01.jsonl.gz.corrupt", "2025-09-01.txt.gz",
                "2025-11-15.jsonl.gz", "backup.jsonl.gz",
            ]
        )
        // Without retention nothing is deleted.
        #expect(DayArchiver(layout: layout).run(today: CivilDate("2030-01-01")!).deleted.isEmpty)
    }

    @Test func aWriterThatOpenedTheFileBeforeItWasArchivedWritesToANewFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let date = CivilDate("2025-11-16")!
        let writer = DayFileWriter(layout: layout, agent: "cls", fsyncPolicy: .none)
        let first = EventLine.bytes(TestEvents.event("info", summary: "before"))
        try writer.append(first, date: date)  // the writer keeps this file open
        #expect(DayArchiver(layout: layout).run(today: today).archived.count == 1)
        let second = EventLine.bytes(TestEvents.event("info", summary: "after"))
        try writer.append(second, date: date)
        let plain = layout.dayFile(agent: "cls", date: date)
        #expect(try Shell.readBytes(plain) == second)
        #expect(try Self.zcat(plain + ".gz") == first)
    }
}
