import LedgerCore

/// Finds sessions in the ledger and writes their summaries to `memory/<agent>/sessions/<session>.md`.
public struct SessionStore: Sendable {
    public let layout: LedgerLayout

    public init(layout: LedgerLayout) { self.layout = layout }

    /// A session seen in the ledger.
    public struct Info: Sendable, Hashable {
        public var session: String
        public var agent: String
        public var firstTS: String
        public var lastTS: String
        public var events: Int
        public var ended: Bool
        /// The summary file, if one has been written.
        public var summaryPath: String?
    }

    /// The sessions of one agent, or of every agent, ordered by their first event.
    public func list(agent: String? = nil) throws(LedgerError) -> [Info] {
        var malformed = 0
        return try list(agent: agent, malformedLines: &malformed)
    }

    /// ``list(agent:)``, adding to `malformedLines` the lines it skipped because they do not parse
    /// (sealed torn tails, foreign text), so that a command can say so.
    public func list(agent: String?, malformedLines: inout Int) throws(LedgerError) -> [Info] {
        let agents = agent.map { [$0] } ?? layout.agents()
        var infos: [String: Info] = [:]
        var firsts: [String: Timestamp] = [:]
        let reader = LedgerReader(layout: layout)
        for a in agents {
            for date in layout.days(agent: a) {
                malformedLines += try reader.forEachEvent(agent: a, date: date) { e in
                    guard let s = e.sessionID else { return true }
                    let key = "\(a)\u{0}\(s)"
                    if var info = infos[key] {
                        info.lastTS = e.ts
                        info.events += 1
                        if e.type == "session_end" { info.ended = true }
                        infos[key] = info
                    } else {
                        infos[key] = Info(
                            session: s,
                            agent: a,
                            firstTS: e.ts,
                            lastTS: e.ts,
                            events: 1,
                            ended: e.type == "session_end",
                            summaryPath: nil
                        )
                        firsts[key] = e.timestamp
                    }
                    return true
                }
            }
        }
        var rows: [(first: Timestamp, info: Info)] = []
        for (key, info) in infos {
            var i = info
            let path = layout.sessionSummaryFile(agent: info.agent, session: info.session)
            if Identifiers.isValidSession(info.session), FileSystem.exists(path) { i.summaryPath = path }
            rows.append((firsts[key]!, i))
        }
        rows.sort { a, b in a.first != b.first ? a.first < b.first : a.info.session < b.info.session }
        return rows.map(\.info)
    }

    /// The events of a session for an agent. A session's events are looked for on its own day and the
    /// next (sessions may cross midnight); for a session id without a date, every day is read.
    public func events(session: String, agent: String) throws(LedgerError) -> [LedgerEvent] {
        var malformed = 0
        return try events(session: session, agent: agent, malformedLines: &malformed)
    }

    /// ``events(session:agent:)``, adding to `malformedLines` the lines skipped because they do not parse.
    public func events(session: String, agent: String, malformedLines: inout Int) throws(LedgerError) -> [LedgerEvent] {
        let reader = LedgerReader(layout: layout)
        let days = layout.days(agent: agent)
        var events: [LedgerEvent] = []
        var malformed = 0
        defer { malformedLines += malformed }
        func scan(_ dates: [CivilDate]) throws(LedgerError) {
            for date in dates {
                malformed += try reader.forEachEvent(agent: agent, date: date) { e in
                    if e.sessionID == session { events.append(e) }
                    return true
                }
            }
        }
        if let parsed = SessionAllocator.parse(session) {
            let near = days.filter { $0 == parsed.date || $0 == parsed.date.next }
            try scan(near)
            // A session id may be reused on another day by a caller that chose it itself.
            if events.isEmpty { try scan(days.filter { !near.contains($0) }) }
        } else {
            try scan(days)
        }
        return events
    }

    /// Writes the summary of `session` and returns its path.
    ///
    /// - Parameter agent: the agent; taken from the session id when it has the `YYYY-MM-DD_<agent>_NNN` shape.
    /// - Throws: `notFound` when the session has no events.
    @discardableResult
    public func summarize(session: String, agent: String? = nil) throws(LedgerError) -> String {
        var malformed = 0
        return try summarize(session: session, agent: agent, malformedLines: &malformed)
    }

    /// ``summarize(session:agent:)``, adding to `malformedLines` the lines skipped because they do not parse.
    @discardableResult
    public func summarize(
        session: String,
        agent: String?,
        malformedLines: inout Int
    ) throws(LedgerError) -> String {
        try Identifiers.validateSession(session)
        guard let agent = agent ?? SessionAllocator.parse(session)?.agent else {
            throw LedgerError(
                .invalidField,
                "session \(Identifiers.quoted(session)) does not name its agent: pass --agent"
            )
        }
        try Identifiers.validateAgent(agent)
        let events = try events(session: session, agent: agent, malformedLines: &malformedLines)
        guard !events.isEmpty else {
            throw LedgerError(
                .notFound,
                "session \(Identifiers.quoted(session)) has no events in agent \(agent)'s ledger: check the id with `agent-ledger session list`"
            )
        }
        let text = SessionSummary(session: session, agent: agent, events: events).render()
        let path = layout.sessionSummaryFile(agent: agent, session: session)
        try FileSystem.writeAtomically(Array(text.utf8), to: path, under: layout.root)
        return path
    }
}
