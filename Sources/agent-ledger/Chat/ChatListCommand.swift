import ArgumentParser
import LedgerChat
import LedgerCore

/// `agent-ledger chat list`.
struct ChatListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List messages, newest first: of a thread, of a run, or all of them.",
        discussion: """
            Encrypted messages are shown decrypted when CONTENT_VAULT_ENC_KEY is set (environment or .env), \
            and as [encrypted] when they cannot be decrypted.

            Examples:
              agent-ledger chat list
              agent-ledger chat list --thread general -n 100
              agent-ledger chat list --run run_2026-02-17T204500_apply_a1b2 --json
            """
    )

    @Option(name: .long, help: "Only the messages of this thread.")
    var thread: String?

    @Option(name: .long, help: "Only the messages attached to this run.")
    var run: String?

    @Option(name: [.customShort("n"), .long], help: "How many messages to show; 0 shows all.")
    var limit = 50

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runChatCommand {
            guard limit >= 0 else { throw CLIError.usage("-n must be 0 or more") }
            guard thread == nil || run == nil else {
                throw CLIError.usage("give --thread or --run, not both")
            }
            let messages = try await options.chat().listMessages(threadID: thread, runID: run, limit: limit)
            if options.json {
                print(JSONValue.array(messages.map { .object($0.json) }).jsonString)
                return
            }
            if messages.isEmpty {
                print("No messages yet. Send one with: agent-ledger chat send \"TEXT\"")
                return
            }
            print(ChatView.messages(messages))
        }
    }
}
