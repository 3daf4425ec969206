import ArgumentParser
import LedgerCore
import LedgerTrace

/// `agent-ledger trace list`.
struct TraceListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List traces: those recording now, then the saved ones, newest first.",
        discussion: """
            Examples:
              agent-ledger trace list
              agent-ledger trace list --json
            """
    )

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runRunsCommand {
            let pending = try await options.pendingTraces().list().map(\.trace)
            let saved = try await TraceStore(ledger: options.ledger()).list()
            if options.json {
                let all = pending.map { ($0, "recording") } + saved.map { ($0, "saved") }
                print(
                    JSONValue.array(
                        all.map { trace, state in
                            var o = trace.json
                            o.appendUnchecked("state", .string(state))
                            return .object(o)
                        }
                    ).jsonString
                )
                return
            }
            if pending.isEmpty, saved.isEmpty {
                print("No traces yet. Start one with: agent-ledger trace start --name NAME")
                return
            }
            let rows =
                pending.reversed().map { [$0.traceID, "recording", $0.startedAt, "", $0.name] }
                + saved.map { [$0.traceID, "saved", $0.startedAt, "\($0.events.count)", $0.autoSummary] }
            print(Terminal.table(["TRACE ID", "STATE", "STARTED", "EVENTS", "SUMMARY"], rows))
        }
    }
}

/// `agent-ledger trace show`.
struct TraceShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one trace: its fields and events.",
        discussion: """
            Examples:
              agent-ledger trace show trace_2026-02-17T204500.123_k3x9
              agent-ledger trace show trace_2026-02-17T204500.123_k3x9 --json
            """
    )

    @Argument(help: "The trace id.")
    var traceID: String

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runRunsCommand {
            var trace = try await TraceStore(ledger: options.ledger()).load(traceID)
            var recording = false
            if trace == nil, let pending = try await options.pendingTraces().load(traceID) {
                trace = pending.trace
                recording = true
            }
            guard let trace else {
                throw LedgerError(.notFound, "there is no trace \(traceID): list them with `agent-ledger trace list`")
            }
            if options.json {
                print(JSONValue.object(trace.json).jsonString)
                return
            }
            var lines = [
                "trace_id:       \(trace.traceID)" + (recording ? " (recording)" : ""),
                "name:           \(trace.name)",
                "classification: \(trace.classification)",
                "started_at:     \(trace.startedAt)",
                "ended_at:       \(trace.endedAt ?? "")",
                "user:           \(trace.user)",
                "code_ref:       \(trace.codeRef)",
                "summary:        \(trace.autoSummary)",
            ]
            if trace.droppedEvents > 0 { lines.append("dropped_events: \(trace.droppedEvents)") }
            if !trace.events.isEmpty { lines.append("events:") }
            for e in trace.events {
                var line = "  #\(e.seq)  \(e.ts)  \(e.type)"
                if !e.target.isEmpty { line += "  target=\(e.target)" }
                if !e.result.isEmpty { line += "  result=\(e.result)" }
                if e.durationMs > 0 { line += "  \(e.durationMs) ms" }
                if let agent = e.detail["agent"]?.stringValue { line += "  agent=\(agent)" }
                if let summary = e.detail["summary"]?.stringValue { line += "  \(summary)" }
                lines.append(line)
            }
            print(lines.joined(separator: "\n"))
        }
    }
}
