import LedgerCore
import LedgerStore
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct DayFileWriterTests {
    let date = CivilDate("2025-11-16")!

    func lines(_ events: [LedgerEvent]) -> [UInt8] {
        events.flatMap(EventLine.bytes)
    }

    @Test func appendsToTheDayFileAndMakesFolders() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let writer = DayFileWriter(layout: layout, agent: "cls", fsyncPolicy: .batch)
        try writer.append(lines([TestEvents.event("task_start"), TestEvents.event("task_result")]), date: date)
        try writer.append(lines([TestEvents.event("heartbeat")]), date: date)
        let path = dir.join("g/ledger/cls/2025-11-16.jsonl")
        let read = try TestEvents.lines(path)
        #expect(read.count == 3)
        #expect(try read.map { try EventLine.parse($0).type } == ["task_start", "task_result", "heartbeat"])
    }

    @Test func neverTruncatesWhatIsThere() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        try FileSystem.makeDirectories(layout.agentDirectory("cls"))
        let path = layout.dayFile(agent: "cls", date: date)
        let existing = EventLine.bytes(TestEvents.event("info", summary: "from yesterday's run"))
        try FileSystem.writeAtomically(existing, to: path)
        let writer = DayFileWriter(layout: layout, agent: "cls", fsyncPolicy: .none)
        try writer.append(lines([TestEvents.event("info", summary: "new")]), date: date)
        let read = try TestEvents.lines(path)
        #expect(read.count == 2)
        #expect(read[0].contains("from yesterday's run"))
    }

    @Test func sealsATornTailSoTheNextLineStartsClean() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        try FileSystem.makeDirectories(layout.agentDirectory("cls"))
        let path = layout.dayFile(agent: "cls", date: date)
        // A crash mid-write left half a line.
        let whole = EventLine.bytes(TestEvents.event("info", summary: "complete"))
        let torn = Array(EventLine.bytes(TestEvents.event("info", summary: "torn")).prefix(40))
        try FileSystem.writeAtomically(whole + torn, to: path)

        let writer = DayFileWriter(layout: layout, agent: "cls", fsyncPolicy: .none)
        try writer.append(lines([TestEvents.event("heartbeat")]), date: date)
        #expect(writer.sealedTornTails == 1)

        let read = try TestEvents.lines(path)
        #expect(read.count == 3)
        #expect((try? EventLine.parse(read[1])) == nil)
        #expect(try EventLine.parse(read[2]).type == "heartbeat")
        let result = try LedgerReader(layout: layout).events(agent: "cls")
        #expect(result.events.map(\.type) == ["info", "heartbeat"])
        #expect(result.malformedLines == 1)
    }

    @Test func aNewDayClosesTheOldFileAndLateEventsGoToTheirOwnDay() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let writer = DayFileWriter(layout: layout, agent: "cls", fsyncPolicy: .none)
        try writer.append(lines([TestEvents.event("info")]), date: date)
        try writer.append(lines([TestEvents.event("info")]), date: date.next)
        #expect(writer.openDate == date.next)
        try writer.append(lines([TestEvents.event("info", summary: "late")]), date: date)
        #expect(writer.openDate == date.next)
        #expect(try TestEvents.lines(layout.dayFile(agent: "cls", date: date)).count == 2)
        #expect(try TestEvents.lines(layout.dayFile(agent: "cls", date: date.next)).count == 1)
        #expect(layout.days(agent: "cls") == [date, date.next])
    }

    @Test func refusesToAppendThroughASymlink() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        try FileSystem.makeDirectories(layout.agentDirectory("cls"))
        let target = dir.join("elsewhere.txt")
        try FileSystem.writeAtomically(Array("keep me\n".utf8), to: target)
        symlink(target, layout.dayFile(agent: "cls", date: date))
        let writer = DayFileWriter(layout: layout, agent: "cls", fsyncPolicy: .none)
        #expect(throws: AppendFailure.self) {
            try writer.append(lines([TestEvents.event("info")]), date: date)
        }
        #expect(try readFile(target) == "keep me\n")
    }
}

@Suite struct DayFileWriterRecoveryTests {
    @Test func aFolderDeletedUnderTheWriterIsMadeAgain() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let date = CivilDate("2025-11-16")!
        let writer = DayFileWriter(layout: layout, agent: "cls", fsyncPolicy: .none)
        try writer.append(EventLine.bytes(TestEvents.event("info", summary: "before")), date: date)
        try Shell.run(["/bin/rm", "-rf", "--", layout.agentDirectory("cls")])
        try writer.append(EventLine.bytes(TestEvents.event("info", summary: "after")), date: date)
        #expect(writer.reopenedFiles == 1)
        let lines = try TestEvents.lines(layout.dayFile(agent: "cls", date: date))
        #expect(lines.count == 1)
        #expect(try EventLine.parse(lines[0]).summary == "after")
    }
}
