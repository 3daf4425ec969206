import LedgerCore
import LedgerGit
import LedgerTestSupport
import Testing

@testable import LedgerChat

@Suite struct ChatTests {
    static let noKey = EncryptionKeySource(environment: [:])
    static func key(_ k: String) -> EncryptionKeySource {
        EncryptionKeySource(environment: ["CONTENT_VAULT_ENC_KEY": k])
    }

    @Test func aMessageOnARunIsANoteOnTheTagObjectNotTheCommit() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let run = try await ledger.recordRun(Run(type: "apply", summary: "Applied"))
        let chat = Chat(ledger: ledger, keySource: Self.noKey)
        let sent = try await chat.sendMessage("Deployed to staging", runID: run.runID)
        #expect(sent.runID == run.runID)
        #expect(sent.threadID == nil)
        #expect(sent.user == "Test User")
        #expect(StampedID.isValid(sent.id, prefix: "msg"))

        let tagObject = try await fx.gitAsync("rev-parse", RunID.tagRef(run.runID))
        let commit = try await fx.gitAsync("rev-parse", "\(RunID.tagRef(run.runID))^{commit}")
        #expect(tagObject != commit)
        #expect(try await fx.gitAsync("notes", "--ref=refs/notes/scp-chat", "show", tagObject) == sent.line)
        let onCommit = try await Shell.runAsync(
            ["git", "-C", fx.repo] + ["notes", "--ref=refs/notes/scp-chat", "show", commit]
        )
        #expect(onCommit.status != 0)

        let second = try await chat.sendMessage("Health checks passed", runID: run.runID, publish: true)
        let listed = try await chat.listMessages(runID: run.runID)
        #expect(listed.map(\.id) == [second.id, sent.id].sorted(by: >))
        #expect(listed.first { $0.id == second.id }?.flags.publish == true)
        #expect(
            try await fx.gitAsync("notes", "--ref=refs/notes/scp-chat", "show", tagObject).split(separator: "\n").count
                == 2
        )
        // No thread was written for a run-only message.
        #expect(try await chat.listThreads().isEmpty)
    }

    @Test func threadsHoldTheirMessagesOnTheLedgerBranch() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let run = try await ledger.recordRun(Run(type: "apply"))
        let chat = Chat(ledger: ledger, keySource: Self.noKey)
        let before = try await fx.mainStateAsync()
        let thread = try await chat.createThread(
            title: " Release 1.2 ",
            anchorRun: run.runID,
            tags: ["ops", "k8s", "ops"]
        )
        #expect(thread.title == "Release 1.2")
        #expect(thread.tags == ["ops", "k8s"])
        #expect(thread.createdBy == "Test User")
        let stored = try await fx.gitAsync("show", "refs/heads/scp-ledger:chat/threads/\(thread.threadID)/thread.json")
        #expect(try ChatThread(jsonText: stored) == thread)
        #expect(try await fx.gitAsync("show", "refs/heads/scp-ledger:.gitattributes").contains("*.jsonl merge=union"))

        let a = try await chat.sendMessage("first", threadID: thread.threadID)
        let both = try await chat.sendMessage("second, on the run too", threadID: thread.threadID, runID: run.runID)
        let file = try await fx.gitAsync("show", "refs/heads/scp-ledger:chat/threads/\(thread.threadID)/messages.jsonl")
        #expect(file.split(separator: "\n").map(String.init) == [a.line, both.line])
        #expect(try await chat.listMessages(threadID: thread.threadID).map(\.id) == [both.id, a.id])
        #expect(try await chat.listMessages(runID: run.runID).map(\.id) == [both.id])
        // Stored twice, listed once.
        #expect(try await chat.listMessages().map(\.id) == [both.id, a.id])
        #expect(try await chat.listMessages(threadID: thread.threadID, limit: 1).map(\.id) == [both.id])

        let general = try await chat.sendMessage("no thread, no run")
        #expect(general.threadID == "general")
        let threads = try await chat.listThreads()
        #expect(Set(threads.map(\.threadID)) == [thread.threadID, "general"])
        #expect(threads.first { $0.threadID == "general" }?.createdAt == general.ts)
        #expect(try await chat.listMessages(limit: 0).count == 3)
        // Nothing of the user's work tree changed.
        #expect(try await fx.mainStateAsync() == before)
    }

    @Test func badInputIsRefusedAndChangesNothing() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let chat = Chat(ledger: ledger, keySource: Self.noKey)
        _ = try await chat.sendMessage("make the branch")
        let head = try await fx.gitAsync("rev-parse", "refs/heads/scp-ledger")
        let cases: [(LedgerError.Code, () async throws(LedgerError) -> Void)] = [
            (.invalidMessage, { () async throws(LedgerError) in _ = try await chat.sendMessage("  \n") }),
            (
                .invalidThread,
                { () async throws(LedgerError) in _ = try await chat.sendMessage("x", threadID: "../etc") }
            ),
            (
                .notFound,
                { () async throws(LedgerError) in
                    _ = try await chat.sendMessage("x", threadID: "thread_2026-01-01T000000.000_abcd")
                }
            ),
            (.invalidRunID, { () async throws(LedgerError) in _ = try await chat.sendMessage("x", runID: "nope") }),
            (
                .notFound,
                { () async throws(LedgerError) in
                    _ = try await chat.sendMessage("x", runID: "run_2026-01-01T000000_apply_abcd")
                }
            ),
            (
                .encryptionKeyMissing,
                { () async throws(LedgerError) in _ = try await chat.sendMessage("x", encrypt: true) }
            ),
            (.invalidThread, { () async throws(LedgerError) in _ = try await chat.createThread(title: "") }),
            (.invalidThread, { () async throws(LedgerError) in _ = try await chat.createThread(title: "a\nb") }),
        ]
        for (code, body) in cases {
            do {
                try await body()
                Issue.record("expected \(code)")
            } catch {
                #expect(error.code == code, "\(error)")
            }
        }
        #expect(try await fx.gitAsync("rev-parse", "refs/heads/scp-ledger") == head)
        #expect(try await chat.listMessages(limit: 0).count == 1)
        #expect(
            (try await Shell.runAsync(["git", "-C", fx.repo] + ["rev-parse", "--verify", "-q", "refs/notes/scp-chat"]))
                .status != 0
        )
    }

    @Test func readersHandleARepositoryWithNothingYet() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let chat = Chat(ledger: GitLedger(repository: fx.repo), keySource: Self.noKey)
        #expect(try await chat.listMessages().isEmpty)
        #expect(try await chat.listMessages(threadID: "general").isEmpty)
        #expect(try await chat.listMessages(runID: "run_2026-01-01T000000_apply_abcd").isEmpty)
        #expect(try await chat.listThreads().isEmpty)
    }

    @Test func encryptedMessagesAreSealedInGitAndListedOpenOrAsPlaceholder() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let run = try await ledger.recordRun(Run(type: "vault"))
        let secret = "the db password is hunter2-\(UInt32.random(in: 0...UInt32.max))"
        let key = "vault-key-\(UInt32.random(in: 0...UInt32.max))"
        let writer = Chat(ledger: ledger, keySource: Self.key(key))
        let sent = try await writer.sendMessage(secret, threadID: "general", runID: run.runID, encrypt: true)
        #expect(sent.flags.encrypted)
        #expect(sent.text.hasPrefix("ENC:v1:"))
        let plain = try await writer.sendMessage("not secret")

        let listed = try await writer.listMessages()
        #expect(listed.map(\.text) == ["not secret", secret])
        #expect(listed.map(\.flags.encrypted) == [false, true])

        for reader in [
            Chat(repository: fx.repo, keySource: Self.noKey), Chat(repository: fx.repo, keySource: Self.key("wrong")),
        ] {
            let seen = try await reader.listMessages(runID: run.runID)
            #expect(seen.count == 1)
            #expect(seen.first?.text == "[encrypted]")
            #expect(seen.first?.flags.encrypted == true)
            #expect(try await reader.listMessages().map(\.id) == [plain.id, sent.id])
        }

        // Neither the plaintext nor the key is in any object or file of the repository.
        let objects = try await Shell.runAsync(["git", "-C", fx.repo, "cat-file", "--batch-all-objects", "--batch"])
        #expect(objects.status == 0)
        #expect(objects.stdout.contains("ENC:v1:"))
        #expect(!objects.stdout.contains(secret))
        #expect(!objects.stdout.contains(key))
        for needle in [secret, key] {
            let grep = try await Shell.runAsync([
                "grep", "-r", "-a", "-l", "-F", "--", needle, "\(fx.repo)/.git", "\(fx.repo)/.scp-ledger",
            ])
            #expect(grep.status == 1, "found in \(grep.stdout)")
        }
    }

    @Test func theKeyComesFromTheRepositorysDotEnv() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        try await GitFixture.writeAsync("\(fx.repo)/.env", "# vault\nCONTENT_VAULT_ENC_KEY=dotenv-key\n")
        let chat = Chat(repository: fx.repo, keySource: Self.noKey)
        let sent = try await chat.sendMessage("sealed by .env", encrypt: true)
        let cipher = try ChatCipher(passphrase: "dotenv-key")
        await cipher.prepareKeys(for: [sent.text])
        #expect(try cipher.decrypt(sent.text) == "sealed by .env")
        #expect(try await chat.listMessages().first?.text == "sealed by .env")
    }
}
