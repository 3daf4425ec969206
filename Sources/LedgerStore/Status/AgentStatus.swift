import LedgerCore

/// An agent's current state (seed 000 §4.1.2), kept in `agents/<agent>/status.json`.
public struct AgentStatus: Sendable, Hashable {
    /// What the agent is doing.
    public enum State: String, Sendable, Hashable, CaseIterable {
        case idle
        case busy
        case error
        case offline
    }

    public var agent: String
    public var state: State
    /// `ts` of the last `heartbeat` event.
    public var lastHeartbeat: String?
    public var lastTaskID: String?
    public var sessionID: String?
    /// The summary (or `data.message`) of the last `error` event; cleared when a task starts.
    public var lastError: String?
    /// `ts` of the last event that changed this status.
    public var updatedAt: String?

    public init(
        agent: String,
        state: State = .idle,
        lastHeartbeat: String? = nil,
        lastTaskID: String? = nil,
        sessionID: String? = nil,
        lastError: String? = nil,
        updatedAt: String? = nil
    ) {
        self.agent = agent
        self.state = state
        self.lastHeartbeat = lastHeartbeat
        self.lastTaskID = lastTaskID
        self.sessionID = sessionID
        self.lastError = lastError
        self.updatedAt = updatedAt
    }

    /// Whether an event of this type changes a status; the flusher reads only these lines back.
    public static func isStatusRelevant(_ type: String) -> Bool {
        switch type {
        case "heartbeat", "task_start", "task_started", "task_result", "task_completed", "task_failed", "error",
            "agent.error", "session_start", "session_end":
            true
        default: false
        }
    }

    /// Applies one event: `task_start` → busy, `task_result` → idle, `error` → error with `last_error`,
    /// `heartbeat` → `last_heartbeat`; every event with a session sets `session_id`.
    public mutating func apply(_ e: LedgerEvent) {
        let ts = e.ts
        if let s = e.sessionID { sessionID = s }
        switch e.type {
        case "heartbeat":
            lastHeartbeat = ts
            if state == .offline { state = .idle }
        case "task_start", "task_started":
            state = .busy
            lastError = nil
            if let t = e.taskID { lastTaskID = t }
        case "task_result", "task_completed":
            state = .idle
            if let t = e.taskID { lastTaskID = t }
        case "task_failed":
            state = .idle
            if let t = e.taskID { lastTaskID = t }
            lastError = Self.errorText(e)
        case "error", "agent.error":
            state = .error
            lastError = Self.errorText(e)
            if let t = e.taskID { lastTaskID = t }
        case "session_end":
            state = .idle
        default:
            return
        }
        updatedAt = ts
    }

    static func errorText(_ e: LedgerEvent) -> String {
        if let s = e.summary, !s.isEmpty { return s }
        if let m = e.data["message"]?.stringValue { return m }
        if let m = e.data["error"]?.stringValue { return m }
        return e.type
    }

    /// The state to show now: `offline` when the last heartbeat is older than `threshold` seconds.
    public func effectiveState(now: Timestamp, offlineAfter threshold: Double) -> State {
        guard let hb = lastHeartbeat, let parsed = TimestampFormat.parseISO8601(hb) else { return state }
        if now.seconds - parsed.timestamp.seconds > threshold { return .offline }
        return state
    }

    /// The status as seed 000's JSON object (plus `updated_at`).
    public var jsonObject: JSONObject {
        var o = JSONObject()
        o.appendUnchecked("agent", .string(agent))
        o.appendUnchecked("state", .string(state.rawValue))
        o.appendUnchecked("last_heartbeat", lastHeartbeat.map(JSONValue.string) ?? .null)
        o.appendUnchecked("last_task_id", lastTaskID.map(JSONValue.string) ?? .null)
        o.appendUnchecked("session_id", sessionID.map(JSONValue.string) ?? .null)
        o.appendUnchecked("last_error", lastError.map(JSONValue.string) ?? .null)
        o.appendUnchecked("updated_at", updatedAt.map(JSONValue.string) ?? .null)
        return o
    }

    /// Reads a status object; unknown members are ignored.
    public init(_ o: JSONObject) throws(LedgerError) {
        guard let agent = o["agent"]?.stringValue else {
            throw LedgerError(.invalidJSON, "status needs \"agent\" as a string")
        }
        let stateText = o["state"]?.stringValue ?? "idle"
        guard let state = State(rawValue: stateText) else {
            throw LedgerError(
                .invalidJSON,
                "status state \(Identifiers.quoted(stateText)) is not idle, busy, error or offline"
            )
        }
        self.init(
            agent: agent,
            state: state,
            lastHeartbeat: o["last_heartbeat"]?.stringValue,
            lastTaskID: o["last_task_id"]?.stringValue,
            sessionID: o["session_id"]?.stringValue,
            lastError: o["last_error"]?.stringValue,
            updatedAt: o["updated_at"]?.stringValue
        )
    }
}
