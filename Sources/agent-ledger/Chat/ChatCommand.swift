import ArgumentParser
import LedgerChat
import LedgerCore
import LedgerGit

/// `agent-ledger chat …`: messages kept in git (seed 004 §1B).
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Send and list chat messages kept in git: notes on run tags, and threads on scp-ledger.",
        discussion: """
            A message sent with --run is a line in the git note (refs/notes/scp-chat) on the run's tag; with \
            --thread it is a line in chat/threads/<id>/messages.jsonl on the scp-ledger branch; with both it is \
            in both; with neither it goes to the thread "general". --encrypt seals the text as ENC:v1 with \
            CONTENT_VAULT_ENC_KEY (from the environment or the repository's .env).

            Examples:
              agent-ledger chat thread create "Release 1.2" --tag release
              agent-ledger chat send "Deployed to staging" --run run_2026-02-17T204500_apply_a1b2
              agent-ledger chat send "rotated the db password" --thread thread_2026-02-17T204512.345_k3x9 --encrypt
              agent-ledger chat list -n 20
              agent-ledger chat push
            """,
        subcommands: [
            ChatSendCommand.self, ChatListCommand.self, ChatThreadCommand.self, ChatThreadsCommand.self,
            ChatPushCommand.self, ChatPullCommand.self,
        ]
    )
}

/// Runs a `chat` body; bad input (ids, text, a missing key for --encrypt) exits 64, any other failure exits 1.
func runChatCommand(_ body: () async throws -> Void) async throws {
    try await runRunsCommand {
        do {
            try await body()
        } catch let error as LedgerError {
            let usage: Set<LedgerError.Code> = [.invalidMessage, .invalidThread, .encryptionKeyMissing]
            if usage.contains(error.code) { throw CLIError.usage(error.description) }
            throw error
        }
    }
}

extension RunsOptions {
    /// The chat of the chosen repository.
    func chat() -> Chat { Chat(ledger: ledger()) }
}
