import LedgerChat
import LedgerCore
import LedgerGit

/// How messages, threads and chat sync reports look on a terminal.
enum ChatView {
    /// `2026-02-17T20:45:00.123Z  Ada  general  Deployed to staging  [encrypted]`.
    static func messages(_ messages: [ChatMessage]) -> String {
        let rows = messages.map { m -> [String] in
            var places: [String] = []
            if let thread = m.threadID { places.append(thread) }
            if let run = m.runID { places.append(run) }
            var marks: [String] = []
            if m.flags.encrypted { marks.append("encrypted") }
            if m.flags.publish { marks.append("published") }
            if m.source != .manual { marks.append(m.source.rawValue) }
            let text = m.text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ⏎ ")
            return [m.ts, m.user, places.joined(separator: " + "), marks.joined(separator: ","), text]
        }
        return Terminal.table(["TIME", "USER", "WHERE", "FLAGS", "TEXT"], rows)
    }

    static func threads(_ threads: [ChatThread]) -> String {
        let rows = threads.map { t -> [String] in
            [t.threadID, t.createdAt, t.createdBy, t.anchorRun ?? "", t.tags.joined(separator: ","), t.title]
        }
        return Terminal.table(["THREAD ID", "CREATED", "BY", "ANCHOR RUN", "TAGS", "TITLE"], rows)
    }

    static func sync(_ report: ChatSyncReport) -> String {
        if let skipped = report.skipped { return "Skipped: \(skipped)." }
        var lines: [String] = []
        if let push = report.push { lines.append(RunView.push(push)) }
        if let pull = report.pull { lines.append(RunView.pull(pull)) }
        let notes = report.notes
        var n = "notes: "
        if !notes.remoteHasNotes, notes.pushed == nil {
            n += notes.after == nil ? "none on either side" : "origin has none yet"
        } else {
            n += notes.updated ? "merged origin's" : "had origin's already"
        }
        if let pushed = notes.pushed {
            switch pushed.outcome {
            case .created: n += "; created on origin"
            case .fastForward: n += "; pushed (\(pushed.summary))"
            case .upToDate: n += "; origin up to date"
            case .rejected: n += "; " + Terminal.color("rejected \(pushed.summary)", "31")
            case .forced, .deleted: n += "; \(pushed.summary)"
            }
        }
        lines.append(n)
        return lines.joined(separator: "\n")
    }
}
