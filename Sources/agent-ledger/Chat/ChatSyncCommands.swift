import ArgumentParser
import LedgerChat
import LedgerCore

/// `agent-ledger chat push`.
struct ChatPushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push chat to origin: the scp-ledger branch (threads), run tags, and refs/notes/scp-chat.",
        discussion: """
            origin's notes are merged in first, keeping every message of both sides; nothing is forced. \
            Without a remote named origin nothing happens.

            Examples:
              agent-ledger chat push
              agent-ledger chat push --json
            """
    )

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runChatCommand {
            let report = try await options.chat().pushChat()
            print(options.json ? JSONValue.object(report.json).jsonString : ChatView.sync(report))
            if report.skipped == nil, !report.succeeded { throw ExitCode.failure }
        }
    }
}

/// `agent-ledger chat pull`.
struct ChatPullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull chat from origin: threads (merged line by line), run tags, and the notes of runs.",
        discussion: """
            Examples:
              agent-ledger chat pull
              agent-ledger chat pull --repo ../other-checkout --json
            """
    )

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runChatCommand {
            let report = try await options.chat().pullChat()
            print(options.json ? JSONValue.object(report.json).jsonString : ChatView.sync(report))
        }
    }
}
