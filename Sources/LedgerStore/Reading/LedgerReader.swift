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

    /// Calls `body` with each event of one agent's day file, in file order.
    ///
    /// - Returns: how many malformed lines were skipped.
    @discardableResult
    public func forEachEvent(
        agent: String,
        date: CivilDate,
        _ body: (LedgerEvent) -> Bool
    ) throws(LedgerError) -> Int {
        let path = layout.dayFile(agent: agent, date: date)
        guard FileSystem.exists(path) else { return 0 }
        var malformed = 0
        try LineReader.forEachLine(path: path) { line in
            if line.isEmpty { return true }
            let bytes = line.bindMemory(to: UInt8.self)
            do throws(LedgerError) {
                return body(try EventLine.parse(bytes))
            } catch {
                malformed += 1
                return true
            }
        }
        return malformed
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
