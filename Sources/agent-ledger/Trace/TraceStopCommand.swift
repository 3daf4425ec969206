import ArgumentParser
import LedgerChat
import LedgerCore
import LedgerTrace

/// `agent-ledger trace stop`.
struct TraceStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop a trace: collect the ledger's events since its start, save it in git, print the summary.",
        discussion: """
            Examples:
              agent-ledger trace stop trace_2026-02-17T204500.123_k3x9
              agent-ledger trace stop trace_2026-02-17T204500.123_k3x9 --agent cls --agent gg --post --thread general
              agent-ledger trace stop trace_2026-02-17T204500.123_k3x9 --session 2026-02-17_cls_001 --json
            """
    )

    @Argument(help: "The id `trace start` printed.")
    var traceID: String

    @Option(name: .customLong("agent"), help: "Only events of this agent (repeatable).")
    var agents: [String] = []

    @Option(name: .long, help: "Only events of this session.")
    var session: String?

    @Flag(name: .long, help: "Also post the summary as a chat message (source: trace).")
    var post = false

    @Option(name: .long, help: "With --post: the thread to post in (default general).")
    var thread: String?

    @Option(name: .long, help: "With --post: the run to attach the summary to.")
    var run: String?

    @Option(name: .long, help: "Read the day files under this ledger root instead of the one given at the start.")
    var root: String?

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runChatCommand {
            guard post || (thread == nil && run == nil) else {
                throw CLIError.usage("--thread and --run say where --post sends the summary: add --post")
            }
            let trace = try await options.pendingTraces().stop(
                traceID,
                agents: Set(agents),
                sessionID: session,
                ledgerRoot: root
            )
            var posted: ChatMessage?
            if post {
                posted = try await options.chat().sendMessage(
                    trace.chatText,
                    threadID: thread,
                    runID: run,
                    source: .trace,
                    user: trace.user.isEmpty ? nil : trace.user
                )
            }
            if options.json {
                print(JSONValue.object(trace.json).jsonString)
            } else {
                print(trace.autoSummary)
                if let posted { print("posted as \(posted.id)") }
            }
        }
    }
}
