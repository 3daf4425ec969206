import LedgerCore

/// Hands out session ids `YYYY-MM-DD_<agent>_NNN`, numbered per agent per day from 001.
///
/// The counter lives in `agents/<agent>/sessions.counter` and is advanced under a `flock`, so
/// processes starting sessions for the same agent at once get different numbers.
public struct SessionAllocator: Sendable {
    public let layout: LedgerLayout

    public init(layout: LedgerLayout) { self.layout = layout }

    /// The next session id for `agent` on `date`.
    public func next(agent: String, date: CivilDate) throws(LedgerError) -> String {
        try Identifiers.validateAgent(agent)
        let path = layout.sessionCounterFile(agent: agent)
        return try FileLock.withLock(path: path + ".lock", under: layout.root) { () throws(LedgerError) -> String in
            var number = 1
            if FileSystem.exists(path) {
                let text = String(decoding: try FileSystem.readFile(path), as: UTF8.self)
                let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
                if parts.count == 2, parts[0] == date.description, let n = Int(parts[1]) { number = n + 1 }
            }
            try FileSystem.writeAtomically(Array("\(date) \(number)\n".utf8), to: path, under: layout.root)
            FileSystem.removeAbandonedTemporaryFiles(for: path)
            return Self.sessionID(date: date, agent: agent, number: number)
        }
    }

    /// `YYYY-MM-DD_<agent>_NNN`.
    public static func sessionID(date: CivilDate, agent: String, number: Int) -> String {
        let n = String(number)
        return "\(date)_\(agent)_\(String(repeating: "0", count: max(0, 3 - n.count)))\(n)"
    }

    /// The date and agent of an allocated session id, if it has that shape.
    public static func parse(_ session: String) -> (date: CivilDate, agent: String, number: Int)? {
        guard session.utf8.count > 16, let date = CivilDate(session.prefix(10)),
            session.dropFirst(10).first == "_", let lastUnderscore = session.lastIndex(of: "_")
        else { return nil }
        let agentStart = session.index(session.startIndex, offsetBy: 11)
        guard agentStart < lastUnderscore, let number = Int(session[session.index(after: lastUnderscore)...]) else {
            return nil
        }
        let agent = String(session[agentStart..<lastUnderscore])
        guard Identifiers.isValidAgent(agent) else { return nil }
        return (date, agent, number)
    }
}
