import LedgerCore
public import LedgerGit

/// Chat in git (seed 004 §1B): messages attached to runs as git notes on their tags, and messages in
/// threads on the ledger branch, optionally sealed with `ENC:v1`.
///
/// ```swift
/// let chat = Chat(ledger: GitLedger(repository: "."))
/// let thread = try await chat.createThread(title: "Release 1.2")
/// try await chat.sendMessage("Deployed to staging", threadID: thread.threadID, runID: run.runID)
/// let recent = try await chat.listMessages(threadID: thread.threadID, limit: 20)
/// try await chat.pushChat()
/// ```
///
/// **Where messages go.** With a run id, the message is one JSON line in the note under
/// `refs/notes/scp-chat` on the run's annotated tag object. With a thread id, it is one line appended to
/// `chat/threads/<id>/messages.jsonl`, committed on `scp-ledger`. With both, it goes to both places (one
/// id, shown once); with neither, to the built-in thread `general`.
///
/// **Concurrency.** The actor serializes calls within a process; every write holds the ledger's file lock
/// (the one run recorders take), and a note is rewritten whole under it, so concurrent senders in other
/// processes never lose a line. Reads take no lock.
///
/// **Errors.** Every method throws only ``LedgerCore/LedgerError``. Missing notes, threads or files are
/// not errors for readers: they list nothing.
public actor Chat {
    /// The git ledger the chat is kept in.
    public nonisolated let ledger: GitLedger
    /// Where chat is kept (notes ref, threads folder) and its limits.
    public nonisolated let configuration: Configuration
    private let keySource: EncryptionKeySource
    private let onMessageSent: (@Sendable (ChatMessage) -> Void)?
    /// The cipher for the last passphrase seen: one writing salt, and derived keys cached, per process.
    private var cipher: (passphrase: String, cipher: ChatCipher)?

    /// A chat kept in `ledger`.
    ///
    /// - Parameters:
    ///   - ledger: the git ledger of the repository.
    ///   - configuration: names and limits; the defaults are the seed's.
    ///   - keySource: where the `ENC:v1` passphrase comes from; default `CONTENT_VAULT_ENC_KEY` from the
    ///     process's environment, else from the repository's `.env`.
    ///   - onMessageSent: called with each message once stored, as stored (sealed text stays sealed). The
    ///     runtime publishes `chat:message` on its event bus here. Runs on the chat's executor: keep it short.
    public init(
        ledger: GitLedger,
        configuration: Configuration = Configuration(),
        keySource: EncryptionKeySource = EncryptionKeySource(),
        onMessageSent: (@Sendable (ChatMessage) -> Void)? = nil
    ) {
        self.ledger = ledger
        self.configuration = configuration
        self.keySource = keySource
        self.onMessageSent = onMessageSent
    }

    /// A chat in the repository that contains `repository`.
    public init(
        repository: String,
        configuration: Configuration = Configuration(),
        keySource: EncryptionKeySource = EncryptionKeySource(),
        onMessageSent: (@Sendable (ChatMessage) -> Void)? = nil
    ) {
        self.init(
            ledger: GitLedger(repository: repository),
            configuration: configuration,
            keySource: keySource,
            onMessageSent: onMessageSent
        )
    }

    /// The cipher for the current passphrase, or `nil` when none is set.
    func currentCipher() async throws(LedgerError) -> ChatCipher? {
        let p = try await ledger.paths()
        var passphrase = try keySource.passphrase(inFolder: p.workTree)
        if passphrase == nil, p.mainWorkTree != p.workTree {
            passphrase = try keySource.passphrase(inFolder: p.mainWorkTree)
        }
        guard let passphrase else { return nil }
        if let cipher, cipher.passphrase == passphrase { return cipher.cipher }
        let made = try ChatCipher(passphrase: passphrase, rounds: configuration.rounds)
        cipher = (passphrase, made)
        return made
    }

    /// Where the passphrase was looked for, for error messages.
    func keyLocations() async -> String {
        let folder = (try? await ledger.paths().workTree) ?? ledger.repository
        return "\(keySource.variable) is set neither in the environment nor in \(folder)/.env"
    }

    func notifySent(_ message: ChatMessage) {
        onMessageSent?(message)
    }

    /// `chat/threads/<id>`.
    func threadFolder(_ id: String) -> String { "\(configuration.threadsFolder)/\(id)" }
}
