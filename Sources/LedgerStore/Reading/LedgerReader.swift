import LedgerCore

/// Reads events back from agents' day files, skipping and counting lines that do not parse.
public struct LedgerReader: Sendable {
    public let layout: LedgerLayout

    public init(layout: LedgerLayout) { self.layout = layout }

    /// What a read found.
    public struct Result: Sendable {
        public var events: [LedgerEvent] = []
        /// Lines that were not a valid ledger event (a sealed torn tail, say).
        public var malformedLines = 0
        /// Empty lines (a seal right after a complete line leaves one).
        public var emptyLines = 0
    }

    /// Calls `body` with each event of one agent's day, in file order: the day's archive
    /// (`.jsonl.gz`, decompressed as it goes) first if there is one, then its plain file.
    ///
    /// - Returns: how many malformed lines were skipped.
    @discardableResult
    public func forEachEvent(
        agent: String,
        date: CivilDate,
        _ body: (LedgerEvent) -> Bool
    ) throws(LedgerError) -> Int {
        let path = layout.dayFile(agent: agent, date: date)
        var malformed = 0
        var stopped = false
        func each(_ line: UnsafeRawBufferPointer) -> Bool {
            if line.isEmpty { return true }
            do throws(LedgerError) {
                stopped = !body(try EventLine.parse(line.bindMemory(to: UInt8.self)))
                return !stopped
            } catch {
                malformed += 1
                return true
            }
        }
        if FileSystem.exists(path + ".gz") {
            let duplicates = FileSystem.exists(path) ? try Self.eventIDs(inFile: path) : []
            let cursor = LineCursor(try GzipReader(path: path + ".gz"))
            while let more = try cursor.next({ line in
                if !duplicates.isEmpty, let e = try? EventLine.parse(line.bindMemory(to: UInt8.self)), let id = e.id,
                    duplicates.contains(id)
                {
                    return true
                }
                return each(line)
            }), more {}
        }
        guard !stopped, FileSystem.exists(path) else { return malformed }
        try LineReader.forEachLine(path: path) { each($0) }
        return malformed
    }

    /// The ids of the events in a plain day file.
    ///
    /// A day with both an archive and a plain file holds the plain file's events twice for a moment
    /// when archiving was cut off after the rename (the next run removes the plain file); readers
    /// skip the archive's copies of these ids so every event is read once.
    public static func eventIDs(inFile path: String) throws(LedgerError) -> Set<EventID> {
        var ids: Set<EventID> = []
        try LineReader.forEachLine(path: path) { line in
            if let e = try? EventLine.parse(line.bindMemory(to: UInt8.self)), let id = e.id { ids.insert(id) }
            return true
        }
        return ids
    }

    /// Every event of one agent between two dates (inclusive), oldest day first, each day in file order.
    public func events(agent: String, from: CivilDate? = nil, through: CivilDate? = nil) throws(LedgerError) -> Result {
        var result = Result()
        for date in layout.days(agent: agent) {
            if let from, date < from { continue }
            if let through, through < date { continue }
            result.malformedLines += try forEachEvent(agent: agent, date: date) { e in
                result.events.append(e)
                return true
            }
        }
        return result
    }
}
