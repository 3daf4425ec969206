import ArgumentParser

/// `agent-ledger runs …`: the git-native ledger of runs (seed 004 §1A).
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "Record runs in git and read them back: the scp-ledger branch and scp/run/<id> tags.",
        discussion: """
            Runs live on the orphan branch scp-ledger, checked out in .scp-ledger/ (listed in .git/info/exclude, \
            so your work tree stays clean), and as annotated tags refs/tags/scp/run/<run_id> on the main commit \
            each run ran against.

            Examples:
              agent-ledger runs record --type apply --subtype k8s:apply --summary "Applied 3 resources"
              agent-ledger runs list -n 10
              agent-ledger runs show run_2026-02-17T204500_apply_a1b2 --json
              agent-ledger runs push
            """,
        subcommands: [
            RunsRecordCommand.self, RunsListCommand.self, RunsShowCommand.self, RunsEventsCommand.self,
            RunsPushCommand.self, RunsPullCommand.self,
        ]
    )
}
