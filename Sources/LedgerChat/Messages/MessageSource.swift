/// Who wrote a message (seed 004 §1B.3): a person, a session trace, or the system.
public enum MessageSource: String, Sendable, Hashable, CaseIterable {
    case manual
    case trace
    case system
}
