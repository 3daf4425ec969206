import ArgumentParser
import LedgerCore
import LedgerTrace

/// `agent-ledger trace start`.
struct TraceStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a trace and print its id (trace_<time>_<4 random>).",
        discussion: """
            The start is kept in <git folder>/scp-ledger-traces/<id>.json with the ledger root, so `trace stop` \
            works from any process and any folder of the repository.

            Examples:
              agent-ledger trace start
              agent-ledger trace start --name "Release 1.2" --classification deployment --root /srv/agents
            """
    )

    @Option(name: .long, help: "What the session is, e.g. \"Release 1.2\".")
    var name = ""

    @Option(name: .long, help: "deployment, debugging, config, exploration, …")
    var classification = ""

    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runRunsCommand {
            for (flag, value) in [("--name", name), ("--classification", classification)]
            where value.unicodeScalars.contains(where: { $0.value < 0x20 }) || value.utf8.count > 200 {
                throw CLIError.usage("\(flag) must be one line of at most 200 bytes")
            }
            let root = try await ledgerOptions.absoluteRoot()
            let pending = try await options.pendingTraces().start(
                name: name,
                classification: classification,
                ledgerRoot: root
            )
            print(options.json ? JSONValue.object(pending.trace.json).jsonString : pending.trace.traceID)
        }
    }
}
