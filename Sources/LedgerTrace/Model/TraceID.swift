import LedgerChat
public import LedgerCore

/// Trace ids: `trace_<YYYY-MM-DDTHHMMSS.mmm>_<4 random>`, made like message and thread ids (``StampedID``).
public enum TraceID {
    /// The pattern in words, for error messages.
    public static let rule = StampedID.rule("trace")

    /// A new trace id for now.
    public static func make() -> String { StampedID.make("trace") }

    /// Throws ``LedgerError/Code/invalidField`` unless `id` is a trace id.
    public static func validate(_ id: String) throws(LedgerError) {
        guard StampedID.isValid(id, prefix: "trace") else {
            throw LedgerError(.invalidField, "trace id \(Identifiers.quoted(id)) is invalid: use \(rule)")
        }
    }
}
