import AgentLedger
import ArgumentParser

/// `agent-ledger approval …`: seed 001 §6's approval preferences.
struct ApprovalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approval",
        abstract: "Record the operator's approval preference per integration, and show the latest ones.",
        discussion: """
            The event type follows the integration (seed 001 §6):
              vscode        VS Code Workspace Trust    approval.workspace_trust
              claude-code   Claude Code Permissions    approval.permission.toggle
              gemini-cli    Gemini CLI Agent Mode      approval.plan.review
              codex-cli     OpenAI Codex CLI           approval.policy.set
            The latest value per integration is kept in state/approvals.json, so it persists \
            across sessions; every change is also an event in the ledger (agent operator unless \
            --agent says otherwise).

            Examples:
              agent-ledger approval set vscode trusted
              agent-ledger approval set codex-cli on-request
              agent-ledger approval show
            """,
        subcommands: [ApprovalSetCommand.self, ApprovalShowCommand.self]
    )
}

struct ApprovalSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Record a preference: emits the integration's approval event and keeps it as the latest."
    )

    @Argument(help: "vscode, claude-code, gemini-cli or codex-cli (or the event type).")
    var integration: String

    @Argument(help: "The preference, like trusted, untrusted, on-request, auto.")
    var value: String

    @Option(name: .long, help: "The agent the event is recorded for (default: operator).")
    var agent: String = "operator"

    @Option(name: .long, help: "The session id.")
    var session: String?

    @OptionGroup var options: LedgerOptions

    func run() async throws {
        try await runReportingErrors {
            try Identifiers.validateAgent(agent)
            if let session { try Identifiers.validateSession(session) }
            let which = try ApprovalIntegration.named(integration)
            try ApprovalStore.validate(value: value)
            let config = try await options.load()
            let ledger = try Ledger(configuration: config)
            let store = ApprovalStore(layout: ledger.layout)
            let previous = try store.preferences().first { $0.integration == which }
            var data = JSONObject()
            data.appendUnchecked("integration", .string(which.rawValue))
            data.appendUnchecked("value", .string(value))
            data.appendUnchecked("previous", previous.map { .string($0.value) } ?? .null)
            let event = ledger.stampedEvent(
                which.eventType,
                agent: agent,
                sessionID: session,
                summary: "\(which.title): \(value)",
                data: data
            )
            try await ledger.record(event)
            try store.set(
                .init(integration: which, value: value, ts: event.ts, eventID: event.id?.description, agent: agent)
            )
            let change = previous.map { " (was \($0.value))" } ?? ""
            print("\(which.rawValue): \(value)\(change) — recorded as \(which.eventType)")
        }
    }
}

struct ApprovalShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the latest preference per integration."
    )

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @OptionGroup var options: LedgerOptions

    func run() async throws {
        try await runReportingErrors {
            let config = try await options.load()
            let preferences = try ApprovalStore(layout: config.layout).preferences()
            if json {
                var o = JSONObject()
                for p in preferences {
                    o.appendUnchecked(
                        p.integration.rawValue,
                        [
                            "value": .string(p.value), "event": .string(p.integration.eventType), "ts": .string(p.ts),
                            "id": p.eventID.map { .string($0) } ?? .null,
                        ]
                    )
                }
                print(JSONValue.object(o).jsonString)
                return
            }
            if preferences.isEmpty {
                print("No approval preferences yet. Record one with: agent-ledger approval set vscode trusted")
                return
            }
            print(
                Terminal.table(
                    ["INTEGRATION", "VALUE", "EVENT", "SINCE"],
                    preferences.map { [$0.integration.rawValue, $0.value, $0.integration.eventType, $0.ts] }
                )
            )
        }
    }
}
