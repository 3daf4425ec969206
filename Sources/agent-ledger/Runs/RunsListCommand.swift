import ArgumentParser
import LedgerCore
import LedgerGit

/// `agent-ledger runs list`.
struct RunsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List recent runs, newest first, from the scp/run/* tags.",
        discussion: """
            Examples:
              agent-ledger runs list
              agent-ledger runs list -n 100 --json
            """
    )

    @Option(name: [.customShort("n"), .long], help: "How many runs to show; 0 shows all.")
    var limit = 20

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runRunsCommand {
            guard limit >= 0 else { throw CLIError.usage("-n must be 0 or more") }
            let runs = try await options.ledger().listRuns(limit: limit)
            if options.json {
                print(JSONValue.array(runs.map { .object($0.json) }).jsonString)
                return
            }
            if runs.isEmpty {
                print("No runs recorded yet. Record one with: agent-ledger runs record --type <type>")
                return
            }
            print(RunView.table(runs))
        }
    }
}
