import LedgerCore
import LedgerStore
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Symlinks planted inside the ledger root: a clear `symlink_refused` error and nothing written outside it.
@Suite struct FileSystemTests {
    let date = CivilDate("2025-11-16")!

    /// A ledger root and a folder outside it that must stay empty.
    struct Planted {
        let dir: TemporaryDirectory
        var root: String { dir.join("root") }
        var outside: String { dir.join("outside") }
        var layout: LedgerLayout { LedgerLayout(root: root) }

        init() throws {
            dir = try TemporaryDirectory(prefix: "agent-ledger-symlink")
            try FileSystem.makeDirectories(dir.join("root"))
            try FileSystem.makeDirectories(dir.join("outside"))
        }

        /// Makes the folders of `relative` under the root except the last, and a symlink there to `outside`.
        func link(_ relative: String) throws {
            let path = "\(root)/\(relative)"
            try FileSystem.makeDirectories(FileSystem.parentPath(path))
            #expect(symlink(outside, path) == 0)
        }

        var outsideIsEmpty: Bool { FileSystem.list(outside).isEmpty }
    }

    func line() -> [UInt8] { EventLine.bytes(TestEvents.event("info")) }

    @Test(arguments: ["g", "g/ledger", "g/ledger/cls"])
    func aSymlinkedFolderOnTheWayToADayFileIsRefused(_ relative: String) throws {
        let p = try Planted()
        defer { p.dir.remove() }
        try p.link(relative)
        let writer = DayFileWriter(layout: p.layout, agent: "cls", fsyncPolicy: .none)
        let failure = #expect(throws: AppendFailure.self) { try writer.append(line(), date: date) }
        #expect(failure?.error.code == .symlinkRefused)
        #expect(failure?.error.message.contains("symlink inside the ledger root") == true)
        #expect(failure?.completedBytes == 0)
        #expect(p.outsideIsEmpty)
    }

    @Test func aSymlinkPlantedAsTheDayFileIsRefused() throws {
        let p = try Planted()
        defer { p.dir.remove() }
        try p.link("g/ledger/cls/2025-11-16.jsonl")
        let writer = DayFileWriter(layout: p.layout, agent: "cls", fsyncPolicy: .none)
        let failure = #expect(throws: AppendFailure.self) { try writer.append(line(), date: date) }
        #expect(failure?.error.code == .symlinkRefused)
        #expect(p.outsideIsEmpty)
    }

    @Test(arguments: ["agents", "agents/cls"])
    func aSymlinkedStatusFolderIsRefused(_ relative: String) throws {
        let p = try Planted()
        defer { p.dir.remove() }
        try p.link(relative)
        let store = StatusStore(layout: p.layout)
        let error = #expect(throws: LedgerError.self) {
            try store.apply(agent: "cls", events: [TestEvents.event("heartbeat")])
        }
        #expect(error?.code == .symlinkRefused)
        #expect(p.outsideIsEmpty)
    }

    @Test func aSymlinkPlantedAsTheStatusFileIsReplacedNotFollowed() throws {
        let p = try Planted()
        defer { p.dir.remove() }
        let target = "\(p.outside)/precious"
        try FileSystem.writeAtomically(Array("keep me\n".utf8), to: target)
        try FileSystem.makeDirectories("\(p.root)/agents/cls")
        #expect(symlink(target, p.layout.statusFile(agent: "cls")) == 0)
        try StatusStore(layout: p.layout).apply(agent: "cls", events: [TestEvents.event("heartbeat")])
        #expect(try readFile(target) == "keep me\n")
        var st = stat()
        #expect(lstat(p.layout.statusFile(agent: "cls"), &st) == 0 && st.st_mode & S_IFMT == S_IFREG)
        #expect(try StatusStore(layout: p.layout).read(agent: "cls")?.agent == "cls")
    }

    @Test func aSymlinkedSessionsFolderIsRefused() throws {
        let p = try Planted()
        defer { p.dir.remove() }
        let writer = DayFileWriter(layout: p.layout, agent: "cls", fsyncPolicy: .none)
        try writer.append(EventLine.bytes(TestEvents.event("info", session: "2025-11-16_cls_001")), date: date)
        try p.link("memory/cls")
        let error = #expect(throws: LedgerError.self) {
            try SessionStore(layout: p.layout).summarize(session: "2025-11-16_cls_001", agent: "cls")
        }
        #expect(error?.code == .symlinkRefused)
        #expect(p.outsideIsEmpty)
    }

    @Test func aRootThatIsItselfASymlinkIsTheUsersChoiceAndWorks() throws {
        let p = try Planted()
        defer { p.dir.remove() }
        let alias = p.dir.join("alias")
        #expect(symlink(p.root, alias) == 0)
        let writer = DayFileWriter(layout: LedgerLayout(root: alias), agent: "cls", fsyncPolicy: .none)
        try writer.append(line(), date: date)
        #expect(FileSystem.fileSize(p.layout.dayFile(agent: "cls", date: date)) == Int64(line().count))
    }

    @Test func statusTemporaryFilesOfDeadProcessesAreRemovedByTheNextWrite() throws {
        let p = try Planted()
        defer { p.dir.remove() }
        let status = p.layout.statusFile(agent: "cls")
        let dir = p.layout.agentStateDirectory("cls")
        try FileSystem.makeDirectories(dir)
        // A pid no process can have, and this process's own pid (a writer that is alive).
        let dead = "\(dir)/.status.json.2147483646.12345.tmp"
        let alive = "\(dir)/.status.json.\(getpid()).678.tmp"
        let other = "\(dir)/.notes.json.2147483646.1.tmp"
        for path in [dead, alive, other] { try FileSystem.writeAtomically(Array("{".utf8), to: path) }
        try StatusStore(layout: p.layout).apply(agent: "cls", events: [TestEvents.event("heartbeat")])
        #expect(!FileSystem.exists(dead))
        #expect(FileSystem.exists(alive))
        #expect(FileSystem.exists(other))
        #expect(FileSystem.exists(status))
    }
}
