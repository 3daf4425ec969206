import AgentLedger
import LedgerTestSupport
import Testing

@Suite struct ChatPublishingTests {
    @Test func aSentMessageIsPublishedAsChatMessageWithoutItsPlaintextWhenSealed() async throws {
        let fx = try GitFixture(commit: true)
        defer { fx.remove() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var config = LedgerConfiguration()
        config.root = dir.path
        config.async = true
        let ledger = try Ledger(configuration: config)
        let subscription = ledger.bus.subscribe(EventFilter(typePrefixes: ["chat:"]))
        let chat = Chat(
            ledger: GitLedger(repository: fx.repo),
            keySource: EncryptionKeySource(environment: ["CONTENT_VAULT_ENC_KEY": "k"]),
            publishingTo: ledger
        )
        let plain = try await chat.sendMessage("Deployed to staging")
        let sealed = try await chat.sendMessage("the secret word", encrypt: true)
        _ = await ledger.shutdown()
        var seen: [LedgerEvent] = []
        for await e in subscription { seen.append(e) }
        #expect(seen.map(\.type) == ["chat:message", "chat:message"])
        #expect(seen.map(\.taskID) == [plain.id, sealed.id])
        #expect(seen.map(\.summary) == ["Deployed to staging", "[encrypted]"])
        #expect(seen.last?.data["text"]?.stringValue?.hasPrefix("ENC:v1:") == true)
        let written = try LedgerReader(layout: LedgerLayout(root: dir.path)).events(agent: "chat").events
        #expect(written.count == 2)
        let grep = try Shell.run(["grep", "-r", "-F", "-l", "the secret word", dir.path])
        #expect(grep.status == 1)
    }
}
