import ArgumentParser
import LedgerChat
import LedgerCore

/// `agent-ledger chat thread …`.
struct ChatThreadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thread",
        abstract: "Manage chat threads.",
        subcommands: [ChatThreadCreateCommand.self]
    )
}

/// `agent-ledger chat thread create`.
struct ChatThreadCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a thread (chat/threads/<id>/thread.json on scp-ledger) and print its id.",
        discussion: """
            Examples:
              agent-ledger chat thread create "Release 1.2"
              agent-ledger chat thread create "Flaky deploy" --anchor-run run_2026-02-17T204500_apply_a1b2 --tag ops --tag k8s
            """
    )

    @Argument(help: "The thread's title: one line, at most 200 bytes.")
    var title: String

    @Option(name: .long, help: "A recorded run the thread is about.")
    var anchorRun: String?

    @Option(name: .customLong("tag"), help: "A label (repeatable).")
    var tags: [String] = []

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runChatCommand {
            let thread = try await options.chat().createThread(title: title, anchorRun: anchorRun, tags: tags)
            print(options.json ? JSONValue.object(thread.json).jsonString : thread.threadID)
        }
    }
}

/// `agent-ledger chat threads`.
struct ChatThreadsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "threads",
        abstract: "List threads, newest first.",
        discussion: """
            Examples:
              agent-ledger chat threads
              agent-ledger chat threads --json
            """
    )

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runChatCommand {
            let threads = try await options.chat().listThreads()
            if options.json {
                print(JSONValue.array(threads.map { .object($0.json) }).jsonString)
                return
            }
            if threads.isEmpty {
                print("No threads yet. Create one with: agent-ledger chat thread create \"TITLE\"")
                return
            }
            print(ChatView.threads(threads))
        }
    }
}
