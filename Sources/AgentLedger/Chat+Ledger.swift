extension Chat {
    /// A chat whose sent messages also go into the runtime's ledger as `chat:message` events, so bus
    /// subscribers (tracing, a live stream) see them.
    ///
    /// The event carries the message as stored: a sealed text stays `ENC:v1:…` in `data`, and its summary
    /// is `[encrypted]`, so no plaintext of an encrypted message reaches the day files.
    ///
    /// ```swift
    /// let chat = Chat(ledger: GitLedger(repository: "."), publishingTo: ledger)
    /// try await chat.sendMessage("Deployed")   // also emits chat:message for agent "chat"
    /// ```
    /// - Parameter agent: the agent whose ledger receives the events; default `chat`.
    public init(
        ledger git: GitLedger,
        configuration: Configuration = Configuration(),
        keySource: EncryptionKeySource = EncryptionKeySource(),
        publishingTo ledger: Ledger,
        agent: String = "chat"
    ) {
        self.init(ledger: git, configuration: configuration, keySource: keySource) { message in
            let summary = message.flags.encrypted ? ChatMessage.encryptedPlaceholder : String(message.text.prefix(200))
            ledger.emit(
                "chat:message",
                agent: agent,
                taskID: message.id,
                source: message.source == .trace ? "trace" : "chat",
                summary: summary,
                data: .object(message.json)
            )
        }
    }
}
