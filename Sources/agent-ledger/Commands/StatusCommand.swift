import AgentLedger
import ArgumentParser
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each agent's state, heartbeat age, last task and last error.",
        discussion: """
            An agent whose last heartbeat is older than status.offline_after (AGENT_LEDGER_OFFLINE_AFTER,
            default 300 s) shows as offline.

            Examples:
              agent-ledger status
              agent-ledger status cls --json
            """
    )

    @Argument(help: "Only this agent.")
    var agent: String?

    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    @OptionGroup var options: LedgerOptions

    func run() async throws {
        try await runReportingErrors {
            let config = try await options.load()
            let store = StatusStore(layout: config.layout)
            var statuses: [AgentStatus]
            if let agent {
                try Identifiers.validateAgent(agent)
                guard let s = try store.read(agent: agent) else {
                    throw CLIError.failed("agent \(agent) has no status yet under \(config.root)")
                }
                statuses = [s]
            } else {
                statuses = []
                for agent in config.layout.agentsWithStatus() {
                    do {
                        if let s = try store.read(agent: agent) { statuses.append(s) }
                    } catch {
                        // Shown, not hidden: the other agents are still listed.
                        Terminal.printStderr(
                            "agent-ledger: warning: skipped \(config.layout.statusFile(agent: agent)): \(error)"
                        )
                    }
                }
            }
            print(StatusView.render(statuses, offlineAfter: config.offlineAfter, json: json))
        }
    }
}

/// The status table, shared by `status` and `demo`.
enum StatusView {
    static func render(_ statuses: [AgentStatus], offlineAfter: Double, json: Bool) -> String {
        let now = Timestamp.now
        if json {
            let rows: [JSONValue] = statuses.map { s in
                var o = s.jsonObject
                o["state"] = .string(s.effectiveState(now: now, offlineAfter: offlineAfter).rawValue)
                if let hb = s.lastHeartbeat, let parsed = TimestampFormat.parseISO8601(hb) {
                    o["heartbeat_age_sec"] = .double((now.seconds - parsed.timestamp.seconds).rounded())
                } else {
                    o["heartbeat_age_sec"] = .null
                }
                return .object(o)
            }
            return JSONValue.array(rows).jsonString
        }
        if statuses.isEmpty { return "No agents have a status yet." }
        let rows = statuses.map { s -> [String] in
            let state = s.effectiveState(now: now, offlineAfter: offlineAfter)
            let colored: String
            switch state {
            case .idle: colored = Terminal.color(state.rawValue, "32")
            case .busy: colored = Terminal.color(state.rawValue, "33")
            case .error: colored = Terminal.color(state.rawValue, "31")
            case .offline: colored = Terminal.color(state.rawValue, "90")
            }
            var age = "—"
            if let hb = s.lastHeartbeat, let parsed = TimestampFormat.parseISO8601(hb) {
                age = Terminal.age(now.seconds - parsed.timestamp.seconds) + " ago"
            }
            let error = s.lastError.map { $0.count > 60 ? String($0.prefix(59)) + "…" : $0 } ?? "—"
            // Pad the state by its plain width so colour codes do not break the columns.
            return [
                s.agent, colored + String(repeating: " ", count: max(0, 7 - state.rawValue.count)), age,
                s.lastTaskID ?? "—", error,
            ]
        }
        return Terminal.table(["AGENT", "STATE  ", "HEARTBEAT", "LAST TASK", "LAST ERROR"], rows)
    }
}
