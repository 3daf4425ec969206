import LedgerCore

/// Which events a bus subscriber wants.
public struct EventFilter: Sendable {
    /// Only these agents; empty means all.
    public var agents: Set<String>
    /// Only types starting with one of these prefixes (`task_`, `ledger.`); empty means all.
    public var typePrefixes: [String]
    /// Any further test.
    public var predicate: (@Sendable (LedgerEvent) -> Bool)?

    public init(
        agents: Set<String> = [],
        typePrefixes: [String] = [],
        predicate: (@Sendable (LedgerEvent) -> Bool)? = nil
    ) {
        self.agents = agents
        self.typePrefixes = typePrefixes
        self.predicate = predicate
    }

    /// Every event.
    public static let all = EventFilter()

    public func matches(_ e: LedgerEvent) -> Bool {
        if !agents.isEmpty && !agents.contains(e.agent) { return false }
        if !typePrefixes.isEmpty && !typePrefixes.contains(where: { e.type.hasPrefix($0) }) { return false }
        if let predicate, !predicate(e) { return false }
        return true
    }
}
