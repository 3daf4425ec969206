import ArgumentParser
import LedgerCore
import LedgerGit

/// `agent-ledger runs push`.
struct RunsPushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push the scp-ledger branch and the run tags to origin (never forced).",
        discussion: """
            The branch is rebased onto origin's first. A run tag is pushed only when the main commit it points to \
            is on origin already (pushing a tag uploads that commit); --all-tags pushes them all. Without a remote \
            named origin nothing happens.

            Examples:
              agent-ledger runs push
              agent-ledger runs push --all-tags --json
            """
    )

    @Flag(name: .long, help: "Also push tags whose main commit is not on origin yet, uploading those commits.")
    var allTags = false

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runRunsCommand {
            let report = try await options.ledger().pushLedger(includeUnpublishedTags: allTags)
            print(options.json ? JSONValue.object(report.json).jsonString : RunView.push(report))
            if !report.rejected.isEmpty { throw ExitCode.failure }
        }
    }
}

/// `agent-ledger runs pull`.
struct RunsPullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull the scp-ledger branch (rebasing local runs onto it) and the run tags from origin.",
        discussion: """
            Existing tags are never moved. Without a remote named origin nothing happens.

            Examples:
              agent-ledger runs pull
              agent-ledger runs pull --repo ../other-checkout --json
            """
    )

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runRunsCommand {
            let report = try await options.ledger().pullLedger()
            print(options.json ? JSONValue.object(report.json).jsonString : RunView.pull(report))
        }
    }
}
