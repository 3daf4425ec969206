import LedgerCore

/// The one-line summary of a trace, from a fixed template (seed 004 §1C: deterministic, not AI).
///
/// `[deployment] Release 1.2: 12 events from 2 agents (cls, gg) over 3m 4s — 5 task_start, 4 task_result,
/// 3 ledger:run; 2 failed`
///
/// It depends only on the trace's name, classification and events (never on when it is made), so the
/// same events always give the same summary. Event types are listed by count (most first, ties by name),
/// at most three, then `+N more`; agents by name, at most three; the span runs from the first event's
/// time to the last's.
public enum TraceSummary {
    /// The summary of `trace`.
    public static func generate(_ trace: SessionTrace) -> String {
        var label = trace.name.isEmpty ? "Session" : trace.name
        if !trace.classification.isEmpty { label = "[\(trace.classification)] \(label)" }
        let events = trace.events
        guard !events.isEmpty else { return "\(label): no events recorded" }

        var text = "\(label): \(events.count) event\(events.count == 1 ? "" : "s")"
        let agents = Set(events.compactMap { $0.detail["agent"]?.stringValue }).sorted()
        if !agents.isEmpty {
            let shown = agents.prefix(3).joined(separator: ", ") + (agents.count > 3 ? ", …" : "")
            text += " from \(agents.count) agent\(agents.count == 1 ? "" : "s") (\(shown))"
        }
        let times = events.compactMap { TimestampFormat.parseISO8601($0.ts)?.timestamp.nanoseconds }
        if let first = times.min(), let last = times.max(), events.count > 1 {
            text += " over \(span(nanoseconds: last - first))"
        }
        var counts: [String: Int] = [:]
        for e in events { counts[e.type, default: 0] += 1 }
        let ranked = counts.sorted { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }
        var kinds = ranked.prefix(3).map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        if ranked.count > 3 { kinds += ", +\(ranked.count - 3) more" }
        text += " — \(kinds)"
        let failed = events.filter { $0.result == "failed" }.count
        if failed > 0 { text += "; \(failed) failed" }
        if trace.droppedEvents > 0 { text += "; \(trace.droppedEvents) not recorded" }
        return text
    }

    /// `850ms`, `42s`, `3m 4s`, `2h 5m`.
    static func span(nanoseconds: Int64) -> String {
        let ms = max(0, nanoseconds / 1_000_000)
        if ms < 1000 { return "\(ms)ms" }
        let s = ms / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m \(s % 60)s" }
        return "\(s / 3600)h \((s % 3600) / 60)m"
    }
}
