/// One event in an agent's ledger: one JSON object on one line.
///
/// The line carries seed 000's fields always (`ts`, `agent`, `session_id`, `event`, `task_id`,
/// `source`, `summary`, `data`; `null` where unknown, `data` `{}` when empty), plus `id`, and the
/// optional fields of the other seeds only when they are set:
///
/// ```json
/// {"ts":"2025-11-16T02:12:34.123+07:00","id":"01JD…","agent":"cls","session_id":"2025-11-16_cls_001",
///  "event":"task_result","task_id":"wo-1","source":"gg_orchestrator","summary":"Done","data":{"status":"success"}}
/// ```
public struct LedgerEvent: Sendable, Hashable {
    /// Unique and time-ordered; `nil` only for lines read from files the ledger did not write.
    public var id: EventID?
    /// When it happened.
    public var timestamp: Timestamp
    /// The UTC offset `ts` is written with (the configured zone's offset at `timestamp`).
    public var utcOffsetSeconds: Int32
    public var agent: String
    /// The event type (`event` on disk).
    public var type: String
    public var sessionID: String?
    public var taskID: String?
    public var source: String?
    public var summary: String?
    /// Any JSON value; an empty object when the event has no data.
    public var data: JSONValue
    /// Seed 003's persona.
    public var personaID: String?
    /// Seed 003's Unix time in seconds, written beside `ts` when enabled.
    public var tsUnix: Double?
    /// Free-form metadata (seed 001 `meta`).
    public var meta: JSONObject?
    /// Which process and terminal emitted it (seed 001).
    public var context: EventContext?
    /// Members of a line read back that the ledger does not know; written back unchanged, after the known ones.
    public var extra: JSONObject

    /// Inlinable, so that a caller building an event per call hands its fields over instead of
    /// copying each one in and releasing its own (a retain and a release per string).
    @inlinable
    public init(
        id: EventID? = nil,
        timestamp: Timestamp,
        utcOffsetSeconds: Int32 = 0,
        agent: String,
        type: String,
        sessionID: String? = nil,
        taskID: String? = nil,
        source: String? = nil,
        summary: String? = nil,
        data: JSONValue = .object(JSONObject()),
        personaID: String? = nil,
        tsUnix: Double? = nil,
        meta: JSONObject? = nil,
        context: EventContext? = nil,
        extra: JSONObject = JSONObject()
    ) {
        self.id = id
        self.timestamp = timestamp
        self.utcOffsetSeconds = utcOffsetSeconds
        self.agent = agent
        self.type = type
        self.sessionID = sessionID
        self.taskID = taskID
        self.source = source
        self.summary = summary
        self.data = data
        self.personaID = personaID
        self.tsUnix = tsUnix
        self.meta = meta
        self.context = context
        self.extra = extra
    }

    /// The local calendar date of the event at its own offset: the day file it belongs in.
    public var localDate: CivilDate {
        CivilDate(daysSinceEpoch: timestamp.localDay(utcOffsetSeconds: utcOffsetSeconds))
    }

    /// `ts` as written on disk.
    public var ts: String {
        var out: [UInt8] = []
        TimestampFormat.writeISO8601(timestamp, utcOffsetSeconds: utcOffsetSeconds, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
