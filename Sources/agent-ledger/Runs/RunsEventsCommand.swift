import ArgumentParser
import LedgerCore
import LedgerGit

/// `agent-ledger runs events`.
struct RunsEventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print one run's events from .scp-ledger/ledger/runs/<run_id>/events.jsonl.",
        discussion: """
            Examples:
              agent-ledger runs events run_2026-02-17T204500_apply_a1b2
              agent-ledger runs events run_2026-02-17T204500_apply_a1b2 --json
            """
    )

    @Argument(help: "The run id, as `runs list` prints it.")
    var runID: String

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runRunsCommand {
            let events = try await options.ledger().getRunEvents(runID)
            if options.json {
                print(JSONValue.array(events.map { .object($0) }).jsonString)
            } else if events.isEmpty {
                print("Run \(runID) has no events.")
            } else {
                for event in events { print(RunView.event(event)) }
            }
        }
    }
}
