import Synchronization

/// The bytes that failed writes may hold while the disk recovers, shared by all agents.
///
/// Bounded so that a disk that never recovers cannot grow memory without end, and split fairly among
/// the agents that hold bytes, so one agent's backlog cannot leave the others no room.
final class PendingBudget: Sendable {
    let limit: Int
    private let used = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// How many agents hold bytes now.
    private let holders = Atomic<Int>(0)

    /// Takes `n` bytes if they fit in the budget and in the taker's share: `limit / (h + 1)` where `h`
    /// counts the agents holding bytes, the taker included. What the holders may take together always
    /// leaves a share free for an agent whose writes start failing later, so one agent's backlog cannot
    /// leave the others no room (an agent alone holds at most half). What an agent holds is never taken back.
    ///
    /// - Parameter holding: the bytes the taker holds already.
    func take(_ n: Int, holding: Int = 0) -> Bool {
        let holdersWithTaker = holders.load(ordering: .relaxed) + (holding > 0 ? 0 : 1)
        guard holding + n <= limit / (holdersWithTaker + 1) else { return false }
        var current = used.load(ordering: .relaxed)
        while true {
            guard current + n <= limit else { return false }
            let (exchanged, original) = used.compareExchange(
                expected: current,
                desired: current + n,
                ordering: .relaxed
            )
            if exchanged { return true }
            current = original
        }
    }

    func give(_ n: Int) { used.subtract(n, ordering: .relaxed) }

    /// An agent began holding bytes.
    func startHolding() { holders.add(1, ordering: .relaxed) }

    /// An agent holds no bytes any more.
    func stopHolding() { holders.subtract(1, ordering: .relaxed) }

    var inUse: Int { used.load(ordering: .relaxed) }
}
