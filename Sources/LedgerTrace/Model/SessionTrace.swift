import LedgerChat
public import LedgerCore
public import LedgerGit

/// A recorded session (seed 004 §1C.2): what happened between a start and a stop, with a one-line summary.
///
/// Saved as `traces/<trace_id>.json` on the ledger branch.
public struct SessionTrace: Sendable, Hashable {
    /// `trace_<YYYY-MM-DDTHHMMSS.mmm>_<4 random>`; see ``TraceID``.
    public var traceID: String
    public var name: String
    /// `deployment`, `debugging`, `config`, `exploration`, or any other word.
    public var classification: String
    /// ISO 8601, UTC.
    public var startedAt: String
    /// ISO 8601, UTC; `nil` while recording.
    public var endedAt: String?
    public var user: String
    /// The commit HEAD pointed at when the recording started.
    public var codeRef: String
    public var events: [TraceEvent]
    /// The one-line summary from ``TraceSummary/generate(_:)``.
    public var autoSummary: String
    /// References into the audit trail: the ids of the ledger events the trace holds.
    public var auditRefs: [String]
    /// Events the recording could not keep (a bounded buffer overflowed); 0 in a complete trace.
    public var droppedEvents: Int

    public init(
        traceID: String = TraceID.make(),
        name: String = "",
        classification: String = "",
        startedAt: String = RunTime.iso8601(nanoseconds: RunTime.nowNanoseconds()),
        endedAt: String? = nil,
        user: String = "",
        codeRef: String = "",
        events: [TraceEvent] = [],
        autoSummary: String = "",
        auditRefs: [String] = [],
        droppedEvents: Int = 0
    ) {
        self.traceID = traceID
        self.name = name
        self.classification = classification
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.user = user
        self.codeRef = codeRef
        self.events = events
        self.autoSummary = autoSummary
        self.auditRefs = auditRefs
        self.droppedEvents = droppedEvents
    }
}

extension SessionTrace {
    /// The trace as a JSON object with the seed's keys, in the seed's order (`dropped_events` last).
    public var json: JSONObject {
        var o = JSONObject()
        o.appendUnchecked("trace_id", .string(traceID))
        o.appendUnchecked("name", .string(name))
        o.appendUnchecked("classification", .string(classification))
        o.appendUnchecked("started_at", .string(startedAt))
        o.appendUnchecked("ended_at", endedAt.map { .string($0) } ?? .null)
        o.appendUnchecked("user", .string(user))
        o.appendUnchecked("code_ref", .string(codeRef))
        o.appendUnchecked("events", .array(events.map { .object($0.json) }))
        o.appendUnchecked("auto_summary", .string(autoSummary))
        o.appendUnchecked("audit_refs", .array(auditRefs.map { .string($0) }))
        o.appendUnchecked("dropped_events", .int(Int64(droppedEvents)))
        return o
    }

    /// The chat message that posts the trace's summary: `Trace <trace_id>: <auto_summary>`.
    public var chatText: String { "Trace \(traceID): \(autoSummary)" }

    /// Reads a trace from its JSON text.
    /// - Throws: ``LedgerError/Code/invalidJSON`` for text that is not a trace object.
    public init(jsonText: String) throws(LedgerError) {
        guard let o = try JSONParser.parse(jsonText).objectValue, let id = o["trace_id"]?.stringValue else {
            throw LedgerError(.invalidJSON, "a trace must be a JSON object with a \"trace_id\" string")
        }
        self.init(
            traceID: id,
            name: o["name"]?.stringValue ?? "",
            classification: o["classification"]?.stringValue ?? "",
            startedAt: o["started_at"]?.stringValue ?? "",
            endedAt: o["ended_at"]?.stringValue,
            user: o["user"]?.stringValue ?? "",
            codeRef: o["code_ref"]?.stringValue ?? "",
            events: (o["events"]?.arrayValue ?? []).compactMap { $0.objectValue.map(TraceEvent.init(json:)) },
            autoSummary: o["auto_summary"]?.stringValue ?? "",
            auditRefs: (o["audit_refs"]?.arrayValue ?? []).compactMap(\.stringValue),
            droppedEvents: Int(o["dropped_events"]?.intValue ?? 0)
        )
    }
}
