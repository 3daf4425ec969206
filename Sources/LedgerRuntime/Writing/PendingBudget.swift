import Synchronization

/// The bytes that failed writes may hold while the disk recovers, shared by all agents.
///
/// Bounded so that a disk that never recovers cannot grow memory without end.
final class PendingBudget: Sendable {
    let limit: Int
    private let used = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Takes `n` bytes if they fit.
    func take(_ n: Int) -> Bool {
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

    var inUse: Int { used.load(ordering: .relaxed) }
}
