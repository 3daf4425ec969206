public import LedgerCore
public import LedgerStore

/// Collects the events the ledger wrote between two moments from the agents' day files, for a trace made
/// across processes (`agent-ledger trace start`, then `trace stop` in another process).
public struct LedgerEventCollector: Sendable {
    /// Where the day files are.
    public let layout: LedgerLayout

    public init(layout: LedgerLayout) { self.layout = layout }

    /// What a collection found.
    public struct Result: Sendable {
        /// The events, oldest first (ties: by agent, then in file order).
        public var events: [LedgerEvent] = []
        /// Lines that were not ledger events, skipped.
        public var malformedLines = 0
    }

    /// Every event with `start <= ts <= end`, optionally only of some agents or of one session.
    ///
    /// Reads the day files whose dates can hold such events (a day either side, whatever the zone the
    /// files were written in), through ``LedgerStore/LedgerReader``.
    /// - Parameters:
    ///   - agents: only these agents; empty means all.
    ///   - sessionID: only events of this session.
    /// - Throws: ``LedgerError/Code/invalidAgentID`` for a bad agent id; I/O errors.
    public func collect(
        from start: Timestamp,
        through end: Timestamp,
        agents: Set<String> = [],
        sessionID: String? = nil
    ) throws(LedgerError) -> Result {
        for agent in agents { try Identifiers.validateAgent(agent) }
        let reader = LedgerReader(layout: layout)
        let first = CivilDate(daysSinceEpoch: start.localDay(utcOffsetSeconds: 0) - 1)
        let last = CivilDate(daysSinceEpoch: end.localDay(utcOffsetSeconds: 0) + 1)
        var found: [(event: LedgerEvent, agent: String, order: Int)] = []
        var result = Result()
        for agent in layout.agents() where agents.isEmpty || agents.contains(agent) {
            let read = try reader.events(agent: agent, from: first, through: last)
            result.malformedLines += read.malformedLines
            for e in read.events where e.timestamp >= start && e.timestamp <= end {
                if let sessionID, e.sessionID != sessionID { continue }
                found.append((e, agent, found.count))
            }
        }
        found.sort { a, b in
            if a.event.timestamp != b.event.timestamp { return a.event.timestamp < b.event.timestamp }
            if a.agent != b.agent { return a.agent < b.agent }
            return a.order < b.order
        }
        result.events = found.map(\.event)
        return result
    }
}
