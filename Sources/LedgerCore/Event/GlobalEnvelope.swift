/// Seed 001 §2's envelope, in which the global event stream (`state/events/YYYY-MM-DD.jsonl`) holds
/// every agent's events:
///
/// ```json
/// {"ts":"2025-11-16T12:00:01.234Z","id":"01J…","type":"agent.error","agent":"build",
///  "terminal_id":"liku:2.1","pid":12345,"pgid":12345,"term":"xterm-256color","tty":"/dev/pts/3",
///  "session":"user-host-dev_pts_3","payload":{…},"meta":{"session":"session-abc","user":"primary","source":"liku-core"}}
/// ```
///
/// `ts`, `type` and `meta.session` are required. `meta.session` is the event's session id, else
/// `meta.session` of the event, else the terminal session of its context, else the writer's default.
/// `task_id` and `summary` follow `payload` when the event has them.
public enum GlobalEnvelope {
    /// The envelope of an event (stamped: with its id and offset).
    ///
    /// - Parameters:
    ///   - defaultSession: `meta.session` when the event names none.
    ///   - user: `meta.user` when the event's meta has none.
    public static func object(_ e: LedgerEvent, defaultSession: String?, user: String?) -> JSONObject {
        var o = JSONObject()
        // Seed 001 writes UTC as `Z`.
        var ts: [UInt8] = []
        TimestampFormat.writeISO8601(e.timestamp, utcOffsetSeconds: e.utcOffsetSeconds, useZ: true, into: &ts)
        o.appendUnchecked("ts", .string(String(decoding: ts, as: UTF8.self)))
        if let id = e.id { o.appendUnchecked("id", .string(id.description)) }
        o.appendUnchecked("type", .string(e.type))
        o.appendUnchecked("agent", .string(e.agent))
        if let context = e.context {
            for (k, v) in context.jsonObject { o.appendUnchecked(k, v) }
        }
        o.appendUnchecked("payload", e.data)
        if let task = e.taskID { o.appendUnchecked("task_id", .string(task)) }
        if let summary = e.summary { o.appendUnchecked("summary", .string(summary)) }
        var meta = JSONObject()
        let session =
            e.sessionID ?? e.meta?["session"]?.stringValue ?? e.context?.session ?? defaultSession
        if let session { meta.appendUnchecked("session", .string(session)) }
        if let u = e.meta?["user"]?.stringValue ?? user { meta.appendUnchecked("user", .string(u)) }
        if let s = e.source ?? e.meta?["source"]?.stringValue { meta.appendUnchecked("source", .string(s)) }
        for (k, v) in e.meta ?? [:] where k != "session" && k != "user" && k != "source" {
            meta.appendUnchecked(k, v)
        }
        o.appendUnchecked("meta", .object(meta))
        return o
    }

    /// Checks seed 001's required fields: `ts` (ISO 8601 with an offset), `type`, `meta.session`.
    ///
    /// - Throws: `invalidJSON` naming the missing or bad field.
    public static func validate(_ o: JSONObject) throws(LedgerError) {
        guard let ts = o["ts"]?.stringValue, TimestampFormat.parseISO8601(ts) != nil else {
            throw LedgerError(.invalidJSON, "a global event needs \"ts\": an ISO 8601 time with an offset")
        }
        guard let type = o["type"]?.stringValue, Identifiers.isValidEventType(type) else {
            throw LedgerError(.invalidJSON, "a global event needs \"type\": \(Identifiers.eventTypeRule)")
        }
        guard let session = o["meta"]?["session"]?.stringValue, !session.isEmpty else {
            throw LedgerError(.invalidJSON, "a global event needs \"meta.session\"")
        }
    }
}
