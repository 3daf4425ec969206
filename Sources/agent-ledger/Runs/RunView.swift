import LedgerCore
import LedgerGit

/// How runs and sync reports look on a terminal.
enum RunView {
    static func table(_ runs: [Run]) -> String {
        let rows = runs.map { run -> [String] in
            [run.runID, status(run.status), run.type, run.startedAt, "\(run.durationMs) ms", clip(run.summary, 60)]
        }
        return Terminal.table(["RUN ID", "STATUS", "TYPE", "STARTED", "DURATION", "SUMMARY"], rows)
    }

    static func details(_ run: Run) -> String {
        var lines = [
            "run_id:           \(run.runID)",
            "type:             \(run.type)" + (run.subtype.isEmpty ? "" : " (\(run.subtype))"),
            "status:           \(run.status.rawValue)",
            "user:             \(run.user)",
            "code_ref:         \(run.codeRef.isEmpty ? "(no commit yet)" : run.codeRef)",
            "started_at:       \(run.startedAt)",
            "ended_at:         \(run.endedAt)",
            "duration_ms:      \(run.durationMs)",
        ]
        if !run.environment.isEmpty { lines.append("environment:      \(run.environment)") }
        if !run.modulesAffected.isEmpty {
            lines.append("modules_affected: \(run.modulesAffected.joined(separator: ", "))")
        }
        if !run.summary.isEmpty { lines.append("summary:          \(run.summary)") }
        if !run.metadata.isEmpty { lines.append("metadata:         \(JSONValue.object(run.metadata).jsonString)") }
        lines.append("tag:              \(RunID.tagRef(run.runID))")
        return lines.joined(separator: "\n")
    }

    /// `#1  2026-…  adapter:execute  status=ok adapter=shell`.
    static func event(_ event: JSONObject) -> String {
        var head: [String] = []
        if let seq = event["seq"] { head.append("#\(text(seq))") }
        if let ts = event["ts"] { head.append(text(ts)) }
        if let type = event["type"] { head.append(text(type)) }
        let rest = event.filter { !["seq", "ts", "type"].contains($0.key) }.map { "\($0.key)=\(text($0.value))" }
        return (head + rest).joined(separator: "  ")
    }

    static func push(_ report: PushReport) -> String {
        if let skipped = report.skipped { return "Skipped: \(skipped)." }
        var lines: [String] = []
        if let branch = report.branch { lines.append("scp-ledger: \(describe(branch))") }
        let sent = report.tags.filter(\.succeeded)
        let new = sent.filter { $0.outcome == .created }.count
        lines.append("tags: \(new) pushed" + (report.tags.isEmpty ? "" : ", \(sent.count - new) already there"))
        for rejected in report.rejected where rejected.ref != report.branch?.ref {
            lines.append(Terminal.color("rejected: \(rejected.ref) \(rejected.summary)", "31"))
        }
        if !report.heldBack.isEmpty {
            lines.append(
                "held back: \(report.heldBack.count) tag(s) whose main commit is not on origin yet;"
                    + " push main first, or use --all-tags"
            )
        }
        return lines.joined(separator: "\n")
    }

    static func pull(_ report: PullReport) -> String {
        if let skipped = report.skipped { return "Skipped: \(skipped)." }
        var lines: [String] = []
        if !report.remoteHasBranch {
            lines.append("scp-ledger: origin has no ledger branch yet")
        } else if report.branchUpdated {
            lines.append("scp-ledger: updated to \(report.branchAfter?.prefix(12) ?? "")")
        } else {
            lines.append("scp-ledger: up to date")
        }
        lines.append("tags: \(report.fetchedTags.count) fetched")
        for ref in report.conflictingTags {
            lines.append(Terminal.color("kept local: \(ref) differs on origin; tags are never moved", "33"))
        }
        return lines.joined(separator: "\n")
    }

    private static func describe(_ update: RefUpdate) -> String {
        switch update.outcome {
        case .created: "created on origin"
        case .fastForward: "pushed (\(update.summary))"
        case .upToDate: "up to date"
        case .rejected: Terminal.color("rejected \(update.summary)", "31")
        case .forced, .deleted: update.summary
        }
    }

    private static func status(_ s: RunStatus) -> String {
        let padded = s.rawValue + String(repeating: " ", count: 7 - s.rawValue.count)
        switch s {
        case .ok: return Terminal.color(padded, "32")
        case .failed: return Terminal.color(padded, "31")
        case .partial: return Terminal.color(padded, "33")
        }
    }

    private static func text(_ value: JSONValue) -> String { value.stringValue ?? value.jsonString }

    private static func clip(_ s: String, _ n: Int) -> String { s.count > n ? String(s.prefix(n - 1)) + "…" : s }
}
