import LedgerCore
import LedgerGit
import LedgerTestSupport
import Testing

@testable import LedgerChat

@Suite struct ChatSyncTests {
    @Test func withoutARemotePushAndPullSkip() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let chat = Chat(repository: fx.repo, keySource: EncryptionKeySource(environment: [:]))
        try await chat.sendMessage("local only")
        #expect(try await chat.pushChat().skipped != nil)
        #expect(try await chat.pullChat().skipped != nil)
        #expect(try await chat.listMessages().count == 1)
    }

    /// Two clones of one bare remote both send to one run, one thread and `general`, then sync both ways:
    /// each sees every message, once.
    @Test func twoClonesThatBothSendSeeEveryMessageOnceAfterSyncing() async throws {
        let fx = try await GitFixture.make(remote: true)
        defer { fx.remove() }
        guard let origin = fx.origin else { return }
        try await fx.gitAsync("push", "-q", "origin", "refs/heads/main:refs/heads/main")
        let noKey = EncryptionKeySource(environment: [:])
        let a = Chat(repository: fx.repo, keySource: noKey)
        let run = try await a.ledger.recordRun(Run(type: "apply", summary: "shared run"))
        let thread = try await a.createThread(title: "Release")
        var sent = [try await a.sendMessage("a0", threadID: thread.threadID)]
        let firstPush = try await a.pushChat()
        #expect(firstPush.succeeded)

        let cloneB = try await fx.cloneOriginAsync(name: "b")
        let b = Chat(repository: cloneB, keySource: noKey)
        let firstPull = try await b.pullChat()
        #expect(firstPull.pull?.remoteHasBranch == true)
        #expect(try await b.ledger.getRun(run.runID) == run)
        #expect(try await b.listMessages().map(\.text) == ["a0"])

        // Both sides write before either syncs again.
        sent.append(try await a.sendMessage("a1", runID: run.runID))
        sent.append(try await a.sendMessage("a2", threadID: thread.threadID))
        sent.append(try await a.sendMessage("a3"))
        sent.append(try await b.sendMessage("b1", runID: run.runID))
        sent.append(try await b.sendMessage("b2", threadID: thread.threadID))
        sent.append(try await b.sendMessage("b3"))
        sent.append(try await b.sendMessage("b4", threadID: thread.threadID, runID: run.runID))

        #expect(try await a.pushChat().succeeded)
        let bPush = try await b.pushChat()
        #expect(bPush.succeeded, "\(bPush)")
        #expect(bPush.notes.updated)
        let aPull = try await a.pullChat()
        #expect(aPull.notes.updated)

        let all = Set(sent.map(\.id))
        for chat in [a, b] {
            let listed = try await chat.listMessages(limit: 0)
            #expect(listed.count == sent.count)
            #expect(Set(listed.map(\.id)) == all)
            #expect(Set(try await chat.listMessages(runID: run.runID).map(\.text)) == ["a1", "b1", "b4"])
            #expect(
                Set(try await chat.listMessages(threadID: thread.threadID).map(\.text)) == ["a0", "a2", "b2", "b4"]
            )
            #expect(Set(try await chat.listMessages(threadID: "general").map(\.text)) == ["a3", "b3"])
            #expect(Set(try await chat.listThreads().map(\.threadID)) == [thread.threadID, "general"])
        }
        // The notes and the branch are the same on both sides and on the remote.
        let notes = try await GitFixture.gitAsync(["rev-parse", "refs/notes/scp-chat"], in: origin)
        #expect(try await fx.gitAsync("rev-parse", "refs/notes/scp-chat") == notes)
        #expect(try await GitFixture.gitAsync(["rev-parse", "refs/notes/scp-chat"], in: cloneB) == notes)
        #expect(
            try await fx.gitAsync("rev-parse", "refs/heads/scp-ledger")
                == GitFixture.git(["rev-parse", "refs/heads/scp-ledger"], in: cloneB)
        )
        // Each thread line is in the file exactly once.
        let file = try await fx.gitAsync("show", "refs/heads/scp-ledger:chat/threads/\(thread.threadID)/messages.jsonl")
        #expect(file.split(separator: "\n").count == 4)
        try await fx.gitAsync("fsck", "--strict", "--no-progress")
    }
}
