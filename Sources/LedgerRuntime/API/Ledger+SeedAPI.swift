import LedgerCore

/// A stage of a task's life, for ``Ledger/emitTaskLifecycle(_:taskID:_:)``.
public enum TaskStage: String, Sendable, CaseIterable {
    case started
    case completed
    case failed

    /// The event type seed 003 writes for the stage.
    public var eventType: String { "task_\(rawValue)" }
}

/// How serious an alert is, for ``Ledger/emitAlert(_:_:component:_:)``.
public enum AlertLevel: String, Sendable, CaseIterable {
    case info
    case warning
    case error
    case critical
}

extension Ledger {
    /// Seed 003's `emit_event(type, payload, task_id=, persona_id=)`, on the ledger's default agent.
    ///
    /// ```swift
    /// ledger.emitEvent("task_started", ["goal": "explain", "priority": "high"], taskID: "demo-001", personaID: "gitko")
    /// ```
    @discardableResult
    public func emitEvent(
        _ type: String,
        _ payload: JSONValue = [:],
        taskID: String? = nil,
        personaID: String? = nil,
        agent: String? = nil
    ) -> Bool {
        emit(type, agent: agent, taskID: taskID, data: payload, personaID: personaID)
    }

    /// Seed 003's `emit_task_lifecycle('completed', task_id, quality=0.85)`: `task_started`,
    /// `task_completed` or `task_failed` with the fields as data.
    @discardableResult
    public func emitTaskLifecycle(
        _ stage: TaskStage,
        taskID: String,
        _ fields: JSONObject = [:],
        agent: String? = nil
    ) -> Bool {
        var data = fields
        if data["stage"] == nil { data["stage"] = .string(stage.rawValue) }
        return emit(stage.eventType, agent: agent, taskID: taskID, data: .object(data))
    }

    /// Seed 003's `emit_alert('warning', 'Proxy port not responding', component='proxy', port=18091)`:
    /// an `alert_triggered` event whose summary is the message.
    @discardableResult
    public func emitAlert(
        _ level: AlertLevel,
        _ message: String,
        component: String? = nil,
        _ fields: JSONObject = [:],
        agent: String? = nil
    ) -> Bool {
        var data = fields
        data["level"] = .string(level.rawValue)
        data["message"] = .string(message)
        if let component { data["component"] = .string(component) }
        return emit("alert_triggered", agent: agent, source: component, summary: message, data: .object(data))
    }

    /// Seed 003's `emit_system_event('migration', 'D to C drive', reason='SSD_performance')`:
    /// an event of type `kind` whose summary is the description.
    @discardableResult
    public func emitSystemEvent(
        _ kind: String,
        _ description: String,
        _ fields: JSONObject = [:],
        agent: String? = nil
    ) -> Bool {
        var data = fields
        if data["description"] == nil { data["description"] = .string(description) }
        return emit(kind, agent: agent, summary: description, data: .object(data))
    }

    /// Seed 003's `emit_monitoring_snapshot({'confidence': 0.786, …})`: a `monitoring_snapshot` event.
    @discardableResult
    public func emitMonitoringSnapshot(_ metrics: JSONObject, agent: String? = nil) -> Bool {
        emit("monitoring_snapshot", agent: agent, data: .object(metrics))
    }

    /// The legacy `append_ledger(dict)` call: `event` (or `type`) names the type, `task_id` the task,
    /// everything else becomes data.
    @available(*, deprecated, message: "use emitEvent(_:_:taskID:personaID:)")
    @discardableResult
    public func appendLedger(_ record: JSONObject) -> Bool {
        let type = record["event"]?.stringValue ?? record["type"]?.stringValue ?? "info"
        var data = JSONObject()
        for (k, v) in record where k != "event" && k != "type" && k != "task_id" { data.appendUnchecked(k, v) }
        return emitEvent(type, .object(data), taskID: record["task_id"]?.stringValue)
    }

    /// A handle that carries an agent and its session, for seed 000's events.
    ///
    /// ```swift
    /// let cls = ledger.agent("cls", session: "2025-11-16_cls_001")
    /// cls.taskStart("wo-1", summary: "Layout SPEC")
    /// cls.taskResult("wo-1", summary: "Done", data: ["status": "success", "duration_sec": 132])
    /// ```
    public func agent(_ agent: String, session: String? = nil, source: String? = nil) -> AgentHandle {
        AgentHandle(ledger: self, agent: agent, session: session, source: source)
    }
}

/// An agent's view of the ledger: every event carries its agent, session and source.
public struct AgentHandle: Sendable {
    public let ledger: Ledger
    public let agent: String
    public var session: String?
    public var source: String?

    /// Any event type.
    @inline(__always)
    @discardableResult
    public func emit(
        _ type: String,
        taskID: String? = nil,
        summary: String? = nil,
        data: JSONValue = [:]
    ) -> Bool {
        ledger.emit(
            type,
            agent: agent,
            sessionID: session,
            taskID: taskID,
            source: source,
            summary: summary,
            data: data
        )
    }

    /// `heartbeat`: the agent is alive.
    @discardableResult
    public func heartbeat(data: JSONValue = [:]) -> Bool { emit("heartbeat", data: data) }

    /// `task_start`: the agent is busy with a task.
    @discardableResult
    public func taskStart(_ taskID: String, summary: String? = nil, data: JSONValue = [:]) -> Bool {
        emit("task_start", taskID: taskID, summary: summary, data: data)
    }

    /// `task_result`: the task finished (put `status` and `duration_sec` in data).
    @discardableResult
    public func taskResult(_ taskID: String, summary: String? = nil, data: JSONValue = [:]) -> Bool {
        emit("task_result", taskID: taskID, summary: summary, data: data)
    }

    /// `error`: something went wrong; the status shows the message until the next task starts.
    @discardableResult
    public func error(_ message: String, taskID: String? = nil, data: JSONValue = [:]) -> Bool {
        emit("error", taskID: taskID, summary: message, data: data)
    }

    /// `info`: anything worth keeping.
    @discardableResult
    public func info(_ summary: String, data: JSONValue = [:]) -> Bool {
        emit("info", summary: summary, data: data)
    }

    /// `lesson`: something learned, listed in the session summary.
    @discardableResult
    public func lesson(_ text: String, data: JSONValue = [:]) -> Bool {
        emit("lesson", summary: text, data: data)
    }

    /// `session_start`.
    @discardableResult
    public func sessionStart(summary: String? = nil, data: JSONValue = [:]) -> Bool {
        emit("session_start", summary: summary, data: data)
    }

    /// `session_end`; the session summary is written when the ledger sees it.
    @discardableResult
    public func sessionEnd(summary: String? = nil, data: JSONValue = [:]) -> Bool {
        emit("session_end", summary: summary, data: data)
    }
}
