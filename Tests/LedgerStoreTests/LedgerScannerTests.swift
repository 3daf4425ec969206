import LedgerCore
import LedgerStore
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct LedgerScannerTests {
    static func append(_ path: String, _ bytes: [UInt8]) throws { try TestFiles.append(bytes, to: path) }

    static func lines(_ events: [LedgerEvent]) -> [UInt8] { events.flatMap(EventLine.bytes) }

    @Test func mergesAgentsAndDaysPlainAndArchivedInTimeOrder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        // Two agents, interleaved in time; the first day archived, the second plain, plus a late
        // event for the archived day in a plain file beside its archive, and one malformed line.
        let day = 86400.0
        let cls1 = (0..<5).map { TestEvents.event("info", agent: "cls", summary: "c\($0)", after: Double($0) * 10) }
        let andy1 = (0..<5).map {
            TestEvents.event("info", agent: "andy", summary: "a\($0)", after: Double($0) * 10 + 5)
        }
        let cls2 = (0..<3).map { TestEvents.event("error", agent: "cls", summary: "d\($0)", after: day + Double($0)) }
        let late = TestEvents.event("info", agent: "cls", summary: "late", after: 22)
        try Self.append(layout.agentDirectory("cls") + "/2025-11-16.jsonl", Self.lines(cls1))
        try Self.append(layout.agentDirectory("andy") + "/2025-11-16.jsonl", Self.lines(andy1) + Array("{torn\n".utf8))
        try Self.append(layout.agentDirectory("cls") + "/2025-11-17.jsonl", Self.lines(cls2))
        let archived = DayArchiver(layout: layout).run(today: CivilDate("2025-11-18")!)
        #expect(archived.archived.count == 2)
        try Self.append(layout.agentDirectory("cls") + "/2025-11-16.jsonl", Self.lines([late]))

        let scanner = LedgerScanner(layout: layout)
        let all = try scanner.events()
        #expect(
            all.map { $0.event.summary ?? "" } == [
                "c0", "a0", "c1", "a1", "c2", "late", "a2", "c3", "a3", "c4", "a4", "d0", "d1", "d2",
            ]
        )
        #expect(scanner.malformedLines == 1)
        #expect(all.allSatisfy { $0.line == Array(EventLine.bytes($0.event).dropLast()) })

        let errors = try LedgerScanner(layout: layout, filter: ScanFilter(types: ["error"])).events()
        #expect(errors.count == 3)
        let andy = try LedgerScanner(layout: layout, filter: ScanFilter(agents: ["andy"])).events()
        #expect(andy.map(\.event.agent) == Array(repeating: "andy", count: 5))
        let window = ScanFilter(
            since: TestEvents.instant.adding(seconds: 15),
            until: TestEvents.instant.adding(seconds: 30)
        )
        #expect(
            try LedgerScanner(layout: layout, filter: window).events().map { $0.event.summary ?? "" } == [
                "a1", "c2", "late", "a2", "c3",
            ]
        )
    }

    /// A day file with a backfilled block appended after later events (`migrate`, `emit --ts`) is out
    /// of time order: the seek sees it and reads the file from its start, so no event is skipped.
    @Test func sinceReadsAFileOutOfTimeOrderWhole() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let path = layout.agentDirectory("cls") + "/2025-11-16.jsonl"
        try Self.append(path, TestEvents.dayLines(20000, after: 10000))
        try Self.append(path, TestEvents.dayLines(20000))
        let since = TestEvents.instant.adding(seconds: 12000)
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        #expect(try DaySeek.offset(of: since, fd: fd, path: path) == 0)
        let seeked = try LedgerScanner(layout: layout, filter: ScanFilter(since: since)).events()
        #expect(seeked.count == 20000 - (12000 - 10000) * 4)
    }

    @Test func sinceSeeksIntoALargeDayFileAndFindsExactlyTheLaterEvents() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let path = layout.agentDirectory("cls") + "/2025-11-16.jsonl"
        // 40,000 lines a quarter second apart (about 10 MB), with a torn line in the middle.
        try Self.append(path, TestEvents.dayLines(20000))
        try Self.append(path, Array("{\"ts\":\"2025-11-16T03:5\n".utf8))
        try Self.append(path, TestEvents.dayLines(20000, after: 5000))
        let since = TestEvents.instant.adding(seconds: 9000)
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let offset = try DaySeek.offset(of: since, fd: fd, path: path)
        let size = FileSystem.fileSize(path)!
        #expect(offset > size / 2)
        // The offset is a line start, before the first wanted line.
        var byte: UInt8 = 0
        #expect(pread(fd, &byte, 1, off_t(offset - 1)) == 1 && byte == UInt8(ascii: "\n"))

        let filter = ScanFilter(since: since)
        let seeked = try LedgerScanner(layout: layout, filter: filter).events()
        // What a full read gives, filtered by hand.
        var expected: [String] = []
        try LineReader.forEachLine(path: path) { line in
            if let e = try? EventLine.parse(line.bindMemory(to: UInt8.self)), e.timestamp >= since {
                expected.append(String(decoding: line, as: UTF8.self))
            }
            return true
        }
        #expect(seeked.count == 20000 - (9000 - 5000) * 4)
        #expect(seeked.map { String(decoding: $0.line, as: UTF8.self) } == expected)
        // A time before the file starts gives offset 0; one after it ends gives nothing.
        #expect(try DaySeek.offset(of: TestEvents.instant.adding(seconds: -60), fd: fd, path: path) == 0)
        let after = ScanFilter(since: TestEvents.instant.adding(seconds: 100_000))
        #expect(try LedgerScanner(layout: layout, filter: after).events().isEmpty)
    }

    @Test func tailHandsOutAppendedLinesNewDaysAndWaitsForUnfinishedLines() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let day1 = layout.agentDirectory("cls") + "/2025-11-16.jsonl"
        try Self.append(day1, Self.lines([TestEvents.event("info", summary: "old")]))
        let scanner = LedgerScanner(layout: layout, forFollowing: true)
        #expect(try scanner.events().count == 1)
        let tail = LedgerTail(layout: layout, offsets: scanner.endOffsets)
        #expect(try tail.poll().isEmpty)

        let next = EventLine.bytes(TestEvents.event("info", summary: "next", after: 1))
        try Self.append(day1, Array(next.prefix(20)))
        #expect(try tail.poll().isEmpty)  // not finished yet
        try Self.append(day1, Array(next.dropFirst(20)))
        #expect(try tail.poll().map { $0.event.summary } == ["next"])
        // A new day and a new agent appear.
        try Self.append(
            layout.agentDirectory("cls") + "/2025-11-17.jsonl",
            Self.lines([TestEvents.event("info", summary: "tomorrow", after: 86400)])
        )
        try Self.append(
            layout.agentDirectory("andy") + "/2025-11-16.jsonl",
            Self.lines([TestEvents.event("info", agent: "andy", summary: "andy", after: 2)])
        )
        #expect(try tail.poll().map { $0.event.summary } == ["andy", "tomorrow"])
        #expect(try tail.poll().isEmpty)
    }
}
