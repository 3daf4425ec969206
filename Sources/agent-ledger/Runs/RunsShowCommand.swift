import ArgumentParser
import LedgerCore
import LedgerGit

/// `agent-ledger runs show`.
struct RunsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one run's metadata, read from its tag.",
        discussion: """
            Example:
              agent-ledger runs show run_2026-02-17T204500_apply_a1b2 --json
            """
    )

    @Argument(help: "The run id, as `runs list` prints it.")
    var runID: String

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runRunsCommand {
            guard let run = try await options.ledger().getRun(runID) else {
                throw CLIError.failed("no run \(runID) in this repository: list runs with `agent-ledger runs list`")
            }
            print(options.json ? JSONValue.object(run.json).jsonString : RunView.details(run))
        }
    }
}
