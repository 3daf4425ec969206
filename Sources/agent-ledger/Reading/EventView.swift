import AgentLedger

/// One event as one readable line for a terminal:
/// `2025-11-16 02:12:34.123  cls  task_result  wo-1  Done  {"status":"success"}`.
enum EventView {
    static func line(_ e: LedgerEvent, color: Bool) -> String {
        var ts = e.ts
        // `2025-11-16T02:12:34.123+07:00` → `2025-11-16 02:12:34.123`: the zone is the ledger's, shown once by `--help`.
        if ts.count >= 23 {
            ts = String(ts.prefix(10)) + " " + String(ts.dropFirst(11).prefix(12))
        }
        var parts = [paint(ts, "90", color), paint(e.agent, "36", color), paint(e.type, typeColor(e.type), color)]
        if let task = e.taskID { parts.append(paint(task, "35", color)) }
        if let summary = e.summary, !summary.isEmpty { parts.append(summary) }
        if case .object(let o) = e.data, o.isEmpty {
        } else {
            parts.append(paint(e.data.jsonString, "2", color))
        }
        return parts.joined(separator: "  ")
    }

    static func typeColor(_ type: String) -> String {
        if type.contains("error") || type.contains("fail") || type.hasSuffix(".degraded") || type == "ledger.dropped" {
            return "31"
        }
        if type.hasPrefix("task_") || type.hasPrefix("session_") { return "32" }
        if type == "heartbeat" { return "90" }
        return "33"
    }

    static func paint(_ text: String, _ code: String, _ color: Bool) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
