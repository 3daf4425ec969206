import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One event read back, with its line as it is on disk (without the `\n`).
public struct ScannedEvent: Sendable {
    public var event: LedgerEvent
    public var line: [UInt8]
    /// The file it came from.
    public var path: String
}

/// Reads the agents' day files back, plain (`.jsonl`) and archived (`.jsonl.gz`, decompressed as it
/// goes), and hands out the events that pass a ``ScanFilter`` in time order across days and agents.
///
/// Day by day: the files of one date (every agent's archive and plain file) are merged by `ts`, so
/// memory holds one line per file, never a whole file. With a `since`, days before it are not opened
/// and a plain day file is entered by binary search (``DaySeek``) rather than read from its start.
/// Lines that are not a valid event are skipped and counted in ``malformedLines``.
public final class LedgerScanner {
    public let layout: LedgerLayout
    public let filter: ScanFilter
    /// Lines skipped because they were not a valid ledger event.
    public private(set) var malformedLines = 0
    /// Bytes of lines read (decompressed for archives), for throughput figures.
    public private(set) var bytesRead: Int64 = 0
    /// Files that could not be read, with why; the scan goes on without them.
    public private(set) var unreadableFiles: [LedgerError] = []
    /// For each plain file read to its end, the offset just after its last complete line: where a
    /// follower (``LedgerTail``) goes on from. Filled only when `forFollowing` is set.
    public private(set) var endOffsets: [String: Int64] = [:]
    /// Leave a last line without `\n` unread (it is still being written) rather than count it malformed.
    public let forFollowing: Bool

    public init(layout: LedgerLayout, filter: ScanFilter = ScanFilter(), forFollowing: Bool = false) {
        self.layout = layout
        self.filter = filter
        self.forFollowing = forFollowing
    }

    /// A file of one day of one agent.
    struct DayFile {
        var agent: String
        var name: DayFileName
        var path: String
    }

    /// The day files to read, grouped by date, oldest first.
    func days() -> [(date: CivilDate, files: [DayFile])] {
        let agents = layout.agents().filter { filter.agents.isEmpty || filter.agents.contains($0) }
        var byDate: [CivilDate: [DayFile]] = [:]
        for agent in agents {
            let folder = DayFileFolder(path: layout.agentDirectory(agent))
            for name in folder.files() where name.kind != .temporary && filter.mayContain(day: name.date) {
                byDate[name.date, default: []].append(DayFile(agent: agent, name: name, path: folder.path(of: name)))
            }
        }
        return byDate.keys.sorted().map { ($0, byDate[$0]!) }
    }

    /// Called between listing the day files and opening them; for tests, which make the archiver's
    /// moves happen there. `nil` in production.
    var afterListing: (() -> Void)?

    /// Calls `body` with each matching event in time order; `body` returns `false` to stop.
    public func scan(_ body: (ScannedEvent) throws(LedgerError) -> Bool) throws(LedgerError) {
        for (_, files) in days() {
            afterListing?()
            var streams: [DayStream] = []
            // Per agent: its plain file and its archive of the day, either or both.
            var byAgent: [String: (plain: DayFile?, archive: DayFile?)] = [:]
            var agents: [String] = []
            for file in files {
                if byAgent[file.agent] == nil { agents.append(file.agent) }
                switch file.name.kind {
                case .archive: byAgent[file.agent, default: (nil, nil)].archive = file
                case .plain, .temporary: byAgent[file.agent, default: (nil, nil)].plain = file
                }
            }
            for agent in agents {
                let (plain, archive) = byAgent[agent]!
                streams += open(plain: plain, archive: archive)
            }
            for s in streams { try advance(s) }
            while true {
                var best: DayStream?
                for s in streams {
                    guard let e = s.current else { continue }
                    if let b = best, !(e.event.timestamp < b.current!.event.timestamp) { continue }
                    best = s
                }
                guard let best, let current = best.current else { break }
                if try !body(current) { return }
                try advance(best)
            }
            for s in streams {
                malformedLines += s.malformed
                bytesRead += s.cursor.consumed
                if forFollowing, s.file.name.kind == .plain, s.current == nil {
                    endOffsets[s.file.path] = s.startOffset + s.cursor.consumed
                }
            }
        }
    }

    /// Every matching event, in time order. For large ranges prefer ``scan(_:)``.
    public func events() throws(LedgerError) -> [ScannedEvent] {
        var all: [ScannedEvent] = []
        try scan { e in
            all.append(e)
            return true
        }
        return all
    }

    /// Opens one agent's files of one day, as they are now; the listing may be out of date.
    ///
    /// The archiver moves a plain file into its archive (a first archive, or late events appended as a
    /// second member) by writing the new archive, renaming it into place, then removing the plain
    /// file. When both were listed, the plain file is opened first and its event ids read, then the
    /// archive: if the plain file is still there, the archive's copies of its events (when the move
    /// happened in between) are skipped; if it is gone, the move is done and the archive opened after
    /// it holds everything. Either way every event is read once.
    private func open(plain: DayFile?, archive: DayFile?) -> [DayStream] {
        var streams: [DayStream] = []
        var duplicates: Set<EventID>?
        var archive = archive
        if let plain {
            do throws(LedgerError) {
                let stream = try DayStream(file: plain, filter: filter, forFollowing: forFollowing)
                if archive == nil {
                    streams.append(stream)
                } else {
                    do throws(LedgerError) {
                        duplicates = try LedgerReader.eventIDs(inFile: plain.path)
                        streams.append(stream)
                    } catch {
                        // Not found: moved into the archive since it was opened, and the archive, opened
                        // after, has its events. Otherwise it is reported. Either way the archive is read.
                        if error.code != .notFound { unreadableFiles.append(error) }
                    }
                }
            } catch {
                // Unreadable: reported, and the archive, if any, is still read.
                if error.code != .notFound {
                    unreadableFiles.append(error)
                } else if archive == nil {
                    // Archived since the listing: read its archive instead.
                    let path = plain.path + ".gz"
                    guard FileSystem.exists(path) else { return streams }
                    archive = DayFile(agent: plain.agent, name: plain.name.with(.archive), path: path)
                }
            }
        }
        if let archive {
            do throws(LedgerError) {
                let stream = try DayStream(file: archive, filter: filter, forFollowing: forFollowing)
                if let duplicates { stream.duplicates = duplicates }
                streams.append(stream)
            } catch {
                unreadableFiles.append(error)
            }
        }
        return streams
    }

    private func advance(_ s: DayStream) throws(LedgerError) {
        do throws(LedgerError) {
            try s.advance()
        } catch {
            // A damaged archive: keep what was read, report the file, go on with the others.
            unreadableFiles.append(error)
            s.current = nil
        }
    }
}

/// The matching events of one file, one at a time.
final class DayStream {
    let file: LedgerScanner.DayFile
    let filter: ScanFilter
    let cursor: LineCursor
    var current: ScannedEvent?
    var malformed = 0
    /// Ids whose events are skipped here because the day's plain file has them too.
    var duplicates: Set<EventID> = []
    /// Where reading started in the file (after a seek).
    private(set) var startOffset: Int64 = 0
    private let fd: Int32

    init(file: LedgerScanner.DayFile, filter: ScanFilter, forFollowing: Bool) throws(LedgerError) {
        self.file = file
        self.filter = filter
        switch file.name.kind {
        case .archive:
            fd = -1
            cursor = LineCursor(try GzipReader(path: file.path))
        case .plain, .temporary:
            let fd = open(file.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FileSystem.error("open", path: file.path, errno: errno) }
            self.fd = fd
            if let since = filter.since {
                do throws(LedgerError) {
                    let offset = try DaySeek.offset(of: since, fd: fd, path: file.path)
                    startOffset = offset
                    if lseek(fd, off_t(offset), SEEK_SET) < 0 {
                        throw FileSystem.error("seek in", path: file.path, errno: errno)
                    }
                } catch {
                    close(fd)
                    throw error
                }
            }
            cursor = LineCursor(FileByteSource(fd: fd, path: file.path), handsOutUnfinishedLine: !forFollowing)
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Moves to the next matching event, or sets `current` to `nil` at the end.
    func advance() throws(LedgerError) {
        current = nil
        while true {
            let found = try cursor.next { line throws(LedgerError) -> ScannedEvent? in
                if line.isEmpty { return nil }
                // Lines outside the window are skipped on their `ts` alone, without a full parse.
                if let ts = EventLine.quickTimestamp(line), !filter.contains(ts) { return nil }
                let e: LedgerEvent
                do throws(LedgerError) {
                    e = try EventLine.parse(line.bindMemory(to: UInt8.self))
                } catch {
                    malformed += 1
                    return nil
                }
                guard filter.matches(e) else { return nil }
                if !duplicates.isEmpty, let id = e.id, duplicates.contains(id) { return nil }
                return ScannedEvent(event: e, line: Array(line), path: file.path)
            }
            guard let found else { return }
            if let found {
                current = found
                return
            }
        }
    }
}
