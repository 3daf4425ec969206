public import LedgerCore

/// One event within a session trace (seed 004 §1C.2).
public struct TraceEvent: Sendable, Hashable {
    /// 1 for the first event of the trace, then 2, 3, …
    public var seq: Int
    /// When it happened, as the ledger wrote it (ISO 8601 with the ledger's offset).
    public var ts: String
    /// The event type (`task_start`, `ledger:run`, `chat:message`, …).
    public var type: String
    /// What was acted on: the event's task id, else its `data.target`.
    public var target: String
    /// `ok`, `failed`, `skipped`, another status the event gave, or empty.
    public var result: String
    public var durationMs: Int64
    /// The rest of the event: `agent`, `session_id`, `source`, `summary`, `data` when set.
    public var detail: JSONObject

    public init(
        seq: Int,
        ts: String,
        type: String,
        target: String = "",
        result: String = "",
        durationMs: Int64 = 0,
        detail: JSONObject = [:]
    ) {
        self.seq = seq
        self.ts = ts
        self.type = type
        self.target = target
        self.result = result
        self.durationMs = durationMs
        self.detail = detail
    }

    /// The trace event for a ledger event.
    ///
    /// `target` is the task id, else `data.target`; `result` comes from `data.status` (else `data.result`),
    /// with `success`/`succeeded`/`done` read as `ok` and `error`/`failure`/`fail` as `failed`; an event
    /// whose type names a failure (`task_failed`, `…error…`) counts as `failed` when it gives no status.
    /// `duration_ms` comes from `data.duration_ms`.
    public init(seq: Int, event e: LedgerEvent) {
        let data = e.data.objectValue ?? [:]
        var detail = JSONObject()
        detail.appendUnchecked("agent", .string(e.agent))
        if let s = e.sessionID { detail.appendUnchecked("session_id", .string(s)) }
        if let s = e.source { detail.appendUnchecked("source", .string(s)) }
        if let s = e.summary { detail.appendUnchecked("summary", .string(s)) }
        if !e.data.isNull, e.data.objectValue?.isEmpty != true { detail.appendUnchecked("data", e.data) }
        var result = Self.normalizedResult(data["status"]?.stringValue ?? data["result"]?.stringValue ?? "")
        if result.isEmpty, e.type.contains("fail") || e.type.contains("error") { result = "failed" }
        self.init(
            seq: seq,
            ts: e.ts,
            type: e.type,
            target: e.taskID ?? data["target"]?.stringValue ?? "",
            result: result,
            durationMs: data["duration_ms"]?.intValue ?? 0,
            detail: detail
        )
    }

    static func normalizedResult(_ raw: String) -> String {
        switch raw.lowercased() {
        case "ok", "success", "succeeded", "done", "passed": return "ok"
        case "failed", "failure", "fail", "error", "errored": return "failed"
        case "skipped", "skip": return "skipped"
        default: return raw
        }
    }
}

extension TraceEvent {
    /// The event as a JSON object with the seed's keys.
    public var json: JSONObject {
        var o = JSONObject()
        o.appendUnchecked("seq", .int(Int64(seq)))
        o.appendUnchecked("ts", .string(ts))
        o.appendUnchecked("type", .string(type))
        o.appendUnchecked("target", .string(target))
        o.appendUnchecked("result", .string(result))
        o.appendUnchecked("duration_ms", .int(durationMs))
        o.appendUnchecked("detail", .object(detail))
        return o
    }

    /// Reads an event from its JSON object; missing fields take the model's defaults.
    public init(json o: JSONObject) {
        self.init(
            seq: Int(o["seq"]?.intValue ?? 0),
            ts: o["ts"]?.stringValue ?? "",
            type: o["type"]?.stringValue ?? "",
            target: o["target"]?.stringValue ?? "",
            result: o["result"]?.stringValue ?? "",
            durationMs: o["duration_ms"]?.intValue ?? 0,
            detail: o["detail"]?.objectValue ?? [:]
        )
    }
}
