import ArgumentParser
import LedgerCore
import LedgerGit
import LedgerRuntime
import LedgerTrace

/// `agent-ledger trace …`: session tracing across processes (seed 004 §1C).
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Record a session: what the ledger wrote between `trace start` and `trace stop`, saved in git.",
        discussion: """
            `trace start` notes the start in the repository's git folder and prints the trace id; `trace stop` \
            reads the events the ledger's day files got since then, saves the trace as traces/<id>.json on \
            the scp-ledger branch, and prints a one-line summary.

            Examples:
              id=$(agent-ledger trace start --name "Release 1.2" --classification deployment)
              agent-ledger emit task_start --agent cls --task deploy
              agent-ledger trace stop "$id" --post
              agent-ledger trace list
              agent-ledger trace show "$id" --json
            """,
        subcommands: [TraceStartCommand.self, TraceStopCommand.self, TraceListCommand.self, TraceShowCommand.self]
    )
}

extension RunsOptions {
    /// The pending (started, not stopped) traces of the chosen repository.
    func pendingTraces() -> PendingTraces { PendingTraces(ledger: ledger()) }
}

extension LedgerOptions {
    /// The ledger root as an absolute path.
    func absoluteRoot() async throws -> String {
        let root = try await load().root
        if root.hasPrefix("/") { return root }
        let cwd = RunsOptions.currentDirectory()
        return root == "." ? cwd : "\(cwd)/\(root)"
    }
}
