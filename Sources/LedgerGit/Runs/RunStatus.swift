/// How a run ended.
public enum RunStatus: String, Sendable, Hashable, CaseIterable {
    case ok
    case failed
    case partial
}
