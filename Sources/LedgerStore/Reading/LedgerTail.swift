import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows the agents' plain day files like `tail -F`: each ``poll()`` hands out the matching lines
/// appended since the last one, in time order. A day file that appears (a new day, a new agent) is
/// read from its start; one that is replaced (archived, then written again by a late event) is read
/// anew; a line still being written waits for its `\n`.
public final class LedgerTail {
    public let layout: LedgerLayout
    public let filter: ScanFilter
    /// Lines skipped because they were not a valid ledger event.
    public private(set) var malformedLines = 0

    private struct Position {
        var device: UInt64
        var inode: UInt64
        var offset: Int64
    }
    private var positions: [String: Position] = [:]

    /// Starts following.
    ///
    /// - Parameters:
    ///   - offsets: where to go on from in files already read (``LedgerScanner/endOffsets``); other
    ///     files that exist now are followed from their current end.
    public init(layout: LedgerLayout, filter: ScanFilter = ScanFilter(), offsets: [String: Int64] = [:]) {
        self.layout = layout
        self.filter = filter
        for path in plainFiles() {
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            positions[path] = Position(
                device: UInt64(st.st_dev),
                inode: UInt64(st.st_ino),
                offset: offsets[path] ?? Int64(st.st_size)
            )
        }
    }

    private func plainFiles() -> [String] {
        var paths: [String] = []
        for agent in layout.agents() where filter.agents.isEmpty || filter.agents.contains(agent) {
            let folder = DayFileFolder(path: layout.agentDirectory(agent))
            for name in folder.files() where name.kind == .plain { paths.append(folder.path(of: name)) }
        }
        return paths
    }

    /// The matching events appended since the last call, oldest first.
    public func poll() throws(LedgerError) -> [ScannedEvent] {
        var found: [ScannedEvent] = []
        var seen: Set<String> = []
        for path in plainFiles() {
            seen.insert(path)
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0 else { continue }
            var position = positions[path] ?? Position(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), offset: 0)
            if position.device != UInt64(st.st_dev) || position.inode != UInt64(st.st_ino)
                || Int64(st.st_size) < position.offset
            {
                position = Position(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), offset: 0)
            }
            guard Int64(st.st_size) > position.offset else {
                positions[path] = position
                continue
            }
            let source = FileByteSource(fd: fd, path: path)
            try source.seek(to: position.offset)
            let cursor = LineCursor(source, handsOutUnfinishedLine: false)
            while let event = try cursor.next({ line -> ScannedEvent? in
                if line.isEmpty { return nil }
                let e: LedgerEvent
                do throws(LedgerError) {
                    e = try EventLine.parse(line.bindMemory(to: UInt8.self))
                } catch {
                    malformedLines += 1
                    return nil
                }
                return filter.matches(e) ? ScannedEvent(event: e, line: Array(line), path: path) : nil
            }) {
                if let event { found.append(event) }
            }
            position.offset += cursor.consumed
            positions[path] = position
        }
        for path in positions.keys where !seen.contains(path) { positions[path] = nil }
        // Stable: lines of one file keep their order when their times are equal.
        return found.enumerated().sorted {
            ($0.element.event.timestamp, $0.offset) < ($1.element.event.timestamp, $1.offset)
        }.map(\.element)
    }
}
