import LedgerCore
import LedgerTestSupport
import Testing

@testable import LedgerStore

/// The archiver moves a late plain file into its day's archive while a reader has listed both: the
/// reader still reads the day, every event once.
@Suite struct LedgerScannerMergeRaceTests {
    static func lines(_ events: [LedgerEvent]) -> [UInt8] { events.flatMap(EventLine.bytes) }

    @Test func aLateFileMergedAfterTheListingIsReadOnceFromTheNewArchive() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let day = (0..<5).map { TestEvents.event("info", agent: "cls", summary: "e\($0)", after: Double($0) * 10) }
        let late = TestEvents.event("info", agent: "cls", summary: "late", after: 22)
        let plain = layout.agentDirectory("cls") + "/2025-11-16.jsonl"
        try TestFiles.append(Self.lines(day), to: plain)
        let archiver = DayArchiver(layout: layout)
        #expect(archiver.run(today: CivilDate("2025-11-18")!).archived.count == 1)
        try TestFiles.append(Self.lines([late]), to: plain)

        let scanner = LedgerScanner(layout: layout)
        var merged = false
        scanner.afterListing = {
            guard !merged else { return }
            merged = true
            // Both files were listed; now the late file goes into the archive and is removed.
            #expect(archiver.run(today: CivilDate("2025-11-18")!).archived.first?.appended == true)
        }
        let summaries = try scanner.events().map { $0.event.summary ?? "" }
        #expect(merged)
        #expect(!FileSystem.exists(plain))
        #expect(scanner.unreadableFiles.isEmpty)
        // Every event once. The late one comes last: it is the archive's second member, and a file
        // is read in its own order.
        #expect(summaries == ["e0", "e1", "e2", "e3", "e4", "late"])
    }

    @Test func aLateFileStillThereIsReadOnceBesideItsArchive() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let day = (0..<3).map { TestEvents.event("info", agent: "cls", summary: "e\($0)", after: Double($0) * 10) }
        let late = TestEvents.event("info", agent: "cls", summary: "late", after: 12)
        let plain = layout.agentDirectory("cls") + "/2025-11-16.jsonl"
        try TestFiles.append(Self.lines(day), to: plain)
        #expect(DayArchiver(layout: layout).run(today: CivilDate("2025-11-18")!).archived.count == 1)
        try TestFiles.append(Self.lines([late]), to: plain)
        let scanner = LedgerScanner(layout: layout)
        #expect(try scanner.events().map { $0.event.summary ?? "" } == ["e0", "e1", "late", "e2"])
        #expect(scanner.unreadableFiles.isEmpty)
    }
}
