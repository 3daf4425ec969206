import LedgerCore

/// The Markdown summary of one session (seed 000 §4.1.3): a timeline of key events, tasks
/// completed and failed with durations, errors, and lessons learned.
///
/// Deterministic: the same events give the same bytes (events are ordered by time, then id).
public struct SessionSummary: Sendable {
    public var session: String
    public var agent: String
    public var events: [LedgerEvent]

    public init(session: String, agent: String, events: [LedgerEvent]) {
        self.session = session
        self.agent = agent
        self.events = events.sorted { a, b in
            if a.timestamp != b.timestamp { return a.timestamp < b.timestamp }
            return (a.id?.description ?? "") < (b.id?.description ?? "")
        }
    }

    /// One task seen in the session.
    public struct Task: Sendable, Hashable {
        public var id: String
        public var started: LedgerEvent?
        public var finished: LedgerEvent?
        public var failed: Bool
        /// Seconds: `data.duration_sec` if given, else the time from start to result.
        public var durationSeconds: Double?
    }

    /// How many key events a timeline lists at its start and at its end.
    public static let timelineLimit = 100

    static let keyTypes: Set<String> = [
        "session_start", "session_end", "task_start", "task_started", "task_result", "task_completed",
        "task_failed", "error", "agent.error", "lesson", "info",
    ]

    static func isFailure(_ e: LedgerEvent) -> Bool {
        if e.type == "task_failed" { return true }
        let status = e.data["status"]?.stringValue?.lowercased() ?? ""
        return ["failure", "failed", "error", "fail"].contains(status)
    }

    /// Tasks in the order they first appear.
    public var tasks: [Task] {
        var order: [String] = []
        var byID: [String: Task] = [:]
        for e in events {
            guard let id = e.taskID else { continue }
            let isStart = e.type == "task_start" || e.type == "task_started"
            let isEnd = e.type == "task_result" || e.type == "task_completed" || e.type == "task_failed"
            guard isStart || isEnd else { continue }
            if byID[id] == nil {
                order.append(id)
                byID[id] = Task(id: id, started: nil, finished: nil, failed: false, durationSeconds: nil)
            }
            if isStart {
                byID[id]!.started = e
            } else {
                byID[id]!.finished = e
                byID[id]!.failed = Self.isFailure(e)
                if let d = e.data["duration_sec"]?.doubleValue {
                    byID[id]!.durationSeconds = d
                } else if let s = byID[id]!.started {
                    byID[id]!.durationSeconds = Double(e.timestamp.milliseconds - s.timestamp.milliseconds) / 1000
                }
            }
        }
        return order.map { byID[$0]! }
    }

    /// Lessons: events of type `lesson` (their summary or `data.lesson`) and any event with `data.lesson`.
    public var lessons: [String] {
        events.compactMap { e in
            if let l = e.data["lesson"]?.stringValue { return l }
            if e.type == "lesson" { return e.summary ?? e.data["text"]?.stringValue }
            return nil
        }
    }

    /// The Markdown text.
    public func render() -> String {
        var md = "# Session \(session)\n\n"
        md += "- Agent: `\(agent)`\n"
        if let first = events.first { md += "- Started: \(first.ts)\n" }
        if let last = events.last {
            let ended = events.contains { $0.type == "session_end" }
            md += "- \(ended ? "Ended" : "Last event"): \(last.ts)\n"
        }
        md += "- Events: \(events.count)\n"
        var counts: [String: Int] = [:]
        for e in events { counts[e.type, default: 0] += 1 }
        if !counts.isEmpty {
            md +=
                "- By type: "
                + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            md += "\n"
        }

        md += "\n## Timeline\n\n"
        let key = events.filter { Self.keyTypes.contains($0.type) }
        if key.isEmpty { md += "No key events.\n" }
        // A long session keeps its first and last key events; the middle is counted, not listed.
        let shown: [LedgerEvent]
        if key.count > Self.timelineLimit * 2 {
            shown = Array(key.prefix(Self.timelineLimit)) + Array(key.suffix(Self.timelineLimit))
        } else {
            shown = key
        }
        for (i, e) in shown.enumerated() {
            if key.count > Self.timelineLimit * 2 && i == Self.timelineLimit {
                md += "- … \(key.count - Self.timelineLimit * 2) more key events …\n"
            }
            var line = "- \(e.ts) `\(e.type)`"
            if let t = e.taskID { line += " \(t)" }
            if let s = e.summary, !s.isEmpty { line += " — \(Self.oneLine(s))" }
            md += line + "\n"
        }

        let all = tasks
        let done = all.filter { $0.finished != nil && !$0.failed }
        let failed = all.filter { $0.failed }
        let open = all.filter { $0.finished == nil }
        md += "\n## Tasks\n\n"
        md += "Completed: \(done.count), failed: \(failed.count), unfinished: \(open.count).\n"
        if !all.isEmpty {
            md += "\n| task | result | duration | summary |\n| --- | --- | --- | --- |\n"
            for t in all {
                let result = t.finished == nil ? "unfinished" : (t.failed ? "failed" : "completed")
                let duration = t.durationSeconds.map(Self.formatDuration) ?? "—"
                let summary = Self.oneLine(t.finished?.summary ?? t.started?.summary ?? "")
                md += "| \(t.id) | \(result) | \(duration) | \(summary.replacingPipes) |\n"
            }
        }

        md += "\n## Errors\n\n"
        let errors = events.filter { $0.type == "error" || $0.type == "agent.error" || Self.isFailure($0) }
        if errors.isEmpty { md += "None.\n" }
        for e in errors {
            md += "- \(e.ts) `\(e.type)`\(e.taskID.map { " \($0)" } ?? ""): \(Self.oneLine(AgentStatus.errorText(e)))\n"
        }

        md += "\n## Lessons learned\n\n"
        let l = lessons
        if l.isEmpty { md += "None recorded.\n" }
        for lesson in l { md += "- \(Self.oneLine(lesson))\n" }
        return md
    }

    static func oneLine(_ s: String) -> String {
        String(s.map { $0.isNewline ? " " : $0 })
    }

    static func formatDuration(_ seconds: Double) -> String {
        if seconds < 60 {
            let tenths = (seconds * 10).rounded() / 10
            return tenths == tenths.rounded() ? "\(Int(tenths)) s" : "\(tenths) s"
        }
        let s = Int(seconds.rounded())
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \((s % 3600) / 60) min"
    }
}

extension String {
    fileprivate var replacingPipes: String { String(map { $0 == "|" ? "/" : $0 }) }
}
