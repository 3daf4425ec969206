/// What the queue does with an event that arrives when it is full.
public enum OverflowPolicy: String, Sendable, Hashable, CaseIterable {
    /// Refuse the new event (it is counted as dropped).
    case dropNewest
    /// Drop the oldest waiting event to make room (it is counted as dropped).
    case dropOldest
    /// Wait up to `blockTimeout` for room, then drop the new event.
    case block
}
