import LedgerCore
import LedgerTestSupport
import Testing

@testable import LedgerGit

@Suite struct GitLedgerFilesTests {
    @Test func changesAreCommittedTogetherAndIdempotentLinesAreNotRepeated() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let before = try await fx.mainStateAsync()
        let first = try await ledger.commitFiles(
            [
                .ensureLine("*.jsonl merge=union", in: ".gitattributes"),
                .append(Array("a\n".utf8), to: "chat/x/messages.jsonl"),
                .create(Array("{}\n".utf8), at: "chat/x/thread.json"),
            ],
            message: "first"
        )
        #expect(try await fx.gitAsync("rev-parse", "refs/heads/scp-ledger") == first)
        #expect(try await fx.gitAsync("log", "-1", "--format=%s", "refs/heads/scp-ledger") == "first")
        let second = try await ledger.commitFiles(
            [
                .ensureLine("*.jsonl merge=union", in: ".gitattributes"),
                .append(Array("b\n".utf8), to: "chat/x/messages.jsonl"),
            ],
            message: "second"
        )
        #expect(try await fx.gitAsync("show", "refs/heads/scp-ledger:.gitattributes") == "*.jsonl merge=union")
        #expect(try await fx.gitAsync("show", "refs/heads/scp-ledger:chat/x/messages.jsonl") == "a\nb")
        #expect(try await fx.gitAsync("diff", "--name-only", first, second) == "chat/x/messages.jsonl")
        // Nothing changed: no commit.
        let third = try await ledger.commitFiles(
            [.ensureLine("*.jsonl merge=union", in: ".gitattributes")],
            message: "none"
        )
        #expect(third == second)
        #expect(try await ledger.readLedgerFile("chat/x/messages.jsonl") == Array("a\nb\n".utf8))
        #expect(try await ledger.readLedgerFile("chat/y/none.json") == nil)
        #expect(try await ledger.ledgerFolderEntries("chat/x") == ["messages.jsonl", "thread.json"])
        #expect(try await ledger.ledgerFolderEntries("nothing").isEmpty)
        #expect(try await fx.mainStateAsync() == before)
    }

    @Test func badPathsAreRefusedBeforeAnythingIsWritten() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        try await ledger.commitFiles([.create([1], at: "keep")], message: "start")
        let head = try await fx.gitAsync("rev-parse", "refs/heads/scp-ledger")
        for bad in ["../escape", "/abs", ".git/config", "a//b", "a/./b", "x/.GIT/y", "", "tab\there"] {
            await #expect(throws: LedgerError.self, "\(bad)") {
                try await ledger.commitFiles([.append([1], to: "ok"), .append([1], to: bad)], message: "bad")
            }
        }
        #expect(try await fx.gitAsync("rev-parse", "refs/heads/scp-ledger") == head)
        #expect(try await ledger.readLedgerFile("ok") == nil)
    }

    @Test func aFailedChangeIsUndoneAndACreateNeverOverwrites() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        try await ledger.commitFiles(
            [.append(Array("one\n".utf8), to: "log.jsonl"), .create(Array("v1".utf8), at: "made.json")],
            message: "start"
        )
        let head = try await fx.gitAsync("rev-parse", "refs/heads/scp-ledger")
        do {
            try await ledger.commitFiles(
                [
                    .append(Array("two\n".utf8), to: "log.jsonl"),
                    .replace(Array("new".utf8), at: "other.json"),
                    .create(Array("v2".utf8), at: "made.json"),
                ],
                message: "fails"
            )
            Issue.record("a create over an existing file must fail")
        } catch {
            #expect(error.code == .fileExists)
        }
        #expect(try await fx.gitAsync("rev-parse", "refs/heads/scp-ledger") == head)
        #expect(try await ledger.readLedgerFile("log.jsonl") == Array("one\n".utf8))
        #expect(try await ledger.readLedgerFile("other.json") == nil)
        #expect(try await ledger.readLedgerFile("made.json") == Array("v1".utf8))
        #expect(try await GitFixture.gitAsync(["status", "--porcelain"], in: "\(fx.repo)/.scp-ledger").isEmpty)
    }

    @Test func aSymbolicLinkOnTheBranchCannotLeadAWriteOutside() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let outside = try TemporaryDirectory()
        defer { outside.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let worktree = try await ledger.ensureWorktree()
        _ = try await Shell.runAsync(["ln", "-s", outside.path, "\(worktree)/chat"])
        await #expect(throws: LedgerError.self) {
            try await ledger.commitFiles([.append([1], to: "chat/sub/x.jsonl")], message: "escape")
        }
        #expect(try await Shell.runAsync(["ls", "-A", outside.path]).stdout.isEmpty)
    }

    @Test func noteLinesAreAddedToTheTagObjectKeepingEarlierLines() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let run = try await ledger.recordRun(Run(type: "apply"))
        let ref = "refs/notes/test"
        #expect(try await ledger.noteLines(on: RunID.tagRef(run.runID), ref: ref).isEmpty)
        try await ledger.appendNoteLines(["{\"n\":1}"], to: RunID.tagRef(run.runID), ref: ref)
        try await ledger.appendNoteLines(["{\"n\":2}", "{\"n\":3}"], to: RunID.tagRef(run.runID), ref: ref)
        #expect(
            try await ledger.noteLines(on: RunID.tagRef(run.runID), ref: ref) == [
                "{\"n\":1}", "{\"n\":2}", "{\"n\":3}",
            ]
        )
        let tagObject = try await fx.gitAsync("rev-parse", RunID.tagRef(run.runID))
        let all = try await ledger.allNoteLines(ref: ref)
        #expect(all.count == 1)
        #expect(all.first?.object == tagObject)
        #expect(all.first?.lines.count == 3)
        await #expect(throws: LedgerError.self) {
            try await ledger.appendNoteLines(["two\nlines"], to: RunID.tagRef(run.runID), ref: ref)
        }
        await #expect(throws: LedgerError.self) {
            try await ledger.appendNoteLines(["x"], to: RunID.tagRef(run.runID), ref: "refs/heads/main")
        }
        await #expect(throws: LedgerError.self) {
            try await ledger.appendNoteLines(["x"], to: "refs/tags/scp/run/missing", ref: ref)
        }
        #expect(try await ledger.noteLines(on: RunID.tagRef(run.runID), ref: ref).count == 3)
    }
}
