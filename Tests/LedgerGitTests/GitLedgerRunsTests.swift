import LedgerCore
import LedgerTestSupport
import Synchronization
import Testing

@testable import LedgerGit

@Suite struct GitLedgerRunsTests {
    @Test func recordWritesFilesCommitsAndTagsMainHead() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let before = try fx.mainState()
        let head = try fx.git("rev-parse", "HEAD")
        let ledger = GitLedger(repository: fx.repo)
        let events: [JSONObject] = [
            ["seq": 1, "type": "adapter:execute", "adapter": "shell", "status": "ok", "duration_ms": 142],
            ["seq": 2, "type": "run:complete", "summary": "Applied 3 K8s resources"],
        ]
        let run = try await ledger.recordRun(
            Run(type: "apply", subtype: "k8s:apply", summary: "Applied 3", metadata: ["n": 3]),
            events: events
        )
        #expect(run.user == "Test User")
        #expect(run.codeRef == head)

        let folder = "\(fx.repo)/.scp-ledger/ledger/runs/\(run.runID)"
        #expect(try readFile("\(folder)/run.json") == run.compactJSON + "\n")
        #expect(try readFile("\(folder)/events.jsonl").split(separator: "\n").count == 2)
        // Committed on the ledger branch, nothing left over in its worktree.
        let files = try fx.git("ls-tree", "-r", "--name-only", "refs/heads/scp-ledger")
        #expect(files.contains("ledger/runs/\(run.runID)/run.json"))
        #expect(files.contains("ledger/runs/\(run.runID)/events.jsonl"))
        #expect(try GitFixture.git(["status", "--porcelain"], in: "\(fx.repo)/.scp-ledger") == "")
        // An annotated tag on main's HEAD whose message is the compact JSON.
        let tag = RunID.tagRef(run.runID)
        #expect(try fx.git("cat-file", "-t", tag) == "tag")
        #expect(try fx.git("rev-parse", "\(tag)^{commit}") == head)
        #expect(try fx.git("for-each-ref", "--format=%(contents)", tag) == run.compactJSON)
        #expect(
            try fx.git("for-each-ref", "--format=%(taggername) %(taggeremail)", tag) == "Test User <test@example.com>"
        )

        #expect(try fx.mainState() == before)
        try fx.git("fsck", "--strict", "--no-progress")
    }

    @Test func listGetAndEventsReadBack() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let base: Int64 = 1_771_361_100 * 1_000_000_000
        var recorded: [Run] = []
        for i in 0..<5 {
            let run = Run(type: "detect", summary: "run \(i)", endedAt: base + Int64(i) * 1_000_000_000)
            recorded.append(try await ledger.recordRun(run, events: [["seq": .int(Int64(i))]]))
        }
        let all = try await ledger.listRuns(limit: 0)
        #expect(all.map(\.runID) == recorded.reversed().map(\.runID))
        #expect(all == recorded.reversed())
        let two = try await ledger.listRuns(limit: 2)
        #expect(two.map(\.summary) == ["run 4", "run 3"])

        #expect(try await ledger.getRun(recorded[1].runID) == recorded[1])
        #expect(try await ledger.getRun("run_2000-01-01T000000_detect_zzzz") == nil)
        #expect(try await ledger.getRunEvents(recorded[3].runID) == [["seq": 3]])
        await #expect(throws: LedgerError.self) { try await ledger.getRunEvents("run_2000-01-01T000000_detect_zzzz") }
        await #expect(throws: LedgerError.self) { try await ledger.getRun("../../etc/passwd") }
        await #expect(throws: LedgerError.self) { try await ledger.getRunEvents("--all") }
    }

    @Test func listReadsTagsWithoutTheWorktree() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let run = try await GitLedger(repository: fx.repo).recordRun(Run(type: "detect"))
        _ = try Shell.run(["rm", "-rf", "--", "\(fx.repo)/.scp-ledger"])
        let fresh = GitLedger(repository: fx.repo)
        #expect(try await fresh.listRuns().map(\.runID) == [run.runID])
        #expect(!FileIO.exists("\(fx.repo)/.scp-ledger"))
    }

    @Test func invalidRunsChangeNothing() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        var bad = Run(type: "detect")
        bad.runID = "run_2026-02-17T204500_x_a1b2/../../escape"
        await #expect(throws: LedgerError.self) { try await ledger.recordRun(bad) }
        var badType = Run(type: "detect")
        badType.type = "--upload-pack=evil"
        await #expect(throws: LedgerError.self) { try await ledger.recordRun(badType) }
        #expect(try fx.git("for-each-ref", "refs/tags/") == "")
    }

    @Test func aTakenIDIsRefusedAndNothingIsOverwritten() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let run = try await ledger.recordRun(Run(type: "detect", summary: "first"))
        var again = run
        again.summary = "second"
        do {
            try await ledger.recordRun(again)
            Issue.record("expected runExists")
        } catch {
            #expect(error.code == .runExists)
        }
        #expect(try await ledger.getRun(run.runID)?.summary == "first")
        #expect(try await ledger.listRuns(limit: 0).count == 1)
    }

    @Test func anExistingTagIsNeverReplacedAndLeavesNoHalfRun() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        try await ledger.ensureWorktree()
        let run = Run(type: "detect")
        // Someone else's tag of the same name, with no run folder behind it.
        try fx.git("tag", "-a", "-m", "theirs", RunID.tagName(run.runID), "HEAD")
        let theirs = try fx.git("rev-parse", RunID.tagRef(run.runID))
        do {
            try await ledger.recordRun(run)
            Issue.record("expected runExists")
        } catch {
            #expect(error.code == .runExists)
        }
        #expect(try fx.git("rev-parse", RunID.tagRef(run.runID)) == theirs)
        #expect(!FileIO.exists("\(fx.repo)/.scp-ledger/ledger/runs/\(run.runID)"))
        #expect(try GitFixture.git(["status", "--porcelain"], in: "\(fx.repo)/.scp-ledger") == "")
        // The next run goes through.
        try await ledger.recordRun(Run(type: "detect"))
    }

    @Test func tagsAreDeferredWithoutACommitAndMadeLater() async throws {
        let fx = try GitFixture(commit: false)
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let first = try await ledger.recordRun(Run(type: "detect", summary: "before any commit"))
        #expect(first.codeRef == "")
        #expect(try fx.git("for-each-ref", "refs/tags/") == "")
        #expect(try await ledger.deferredRunIDs() == [first.runID])
        // Listed and readable all the same.
        #expect(try await ledger.listRuns().map(\.runID) == [first.runID])
        #expect(try await ledger.getRun(first.runID) == first)
        #expect(try await ledger.tagDeferredRuns() == [])

        try GitFixture.write("\(fx.repo)/a.txt", "a\n")
        try fx.git("add", "a.txt")
        try fx.git("commit", "-q", "-m", "first")
        let head = try fx.git("rev-parse", "HEAD")

        // The next record tags the deferred run on the new HEAD first.
        let second = try await ledger.recordRun(Run(type: "detect"))
        #expect(second.codeRef == head)
        #expect(try fx.git("rev-parse", "\(RunID.tagRef(first.runID))^{commit}") == head)
        #expect(try fx.git("for-each-ref", "--format=%(contents)", RunID.tagRef(first.runID)) == first.compactJSON)
        #expect(try await ledger.deferredRunIDs() == [])
        #expect(Set(try await ledger.listRuns().map(\.runID)) == [first.runID, second.runID])
    }

    @Test func anExplicitCallTagsDeferredRuns() async throws {
        let fx = try GitFixture(commit: false)
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let run = try await ledger.recordRun(Run(type: "detect"))
        try GitFixture.write("\(fx.repo)/a.txt", "a\n")
        try fx.git("add", "a.txt")
        try fx.git("commit", "-q", "-m", "first")
        #expect(try await ledger.tagDeferredRuns() == [run.runID])
        #expect(try fx.git("cat-file", "-t", RunID.tagRef(run.runID)) == "tag")
    }

    @Test func observerSeesEachRecordedRun() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let seen = Seen()
        let ledger = GitLedger(repository: fx.repo, onRunRecorded: { run in seen.add(run.runID) })
        let a = try await ledger.recordRun(Run(type: "detect"))
        let b = try await ledger.recordRun(Run(type: "apply"))
        #expect(seen.ids == [a.runID, b.runID])
    }

    @Test func concurrentWritersInOneProcessAllSucceed() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let repo = fx.repo
        // Separate actors, as separate orchestrators would have: only the file lock keeps them apart.
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<6 {
                group.addTask {
                    try await GitLedger(repository: repo).recordRun(Run(type: "detect", summary: "\(i)")).runID
                }
            }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(try await GitLedger(repository: repo).listRuns(limit: 0).map(\.runID)) == Set(ids))
        #expect(try fx.git("rev-list", "--count", "refs/heads/scp-ledger") == "7")
        try fx.git("fsck", "--strict", "--no-progress")
    }

    @Test func deleteAndPruneRemoveRunsAndTags() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let base: Int64 = 1_771_361_100 * 1_000_000_000
        let old = try await ledger.recordRun(Run(type: "detect", endedAt: base - 86_400 * 10 * 1_000_000_000))
        let keep = try await ledger.recordRun(Run(type: "detect", endedAt: base))
        let gone = try await ledger.recordRun(Run(type: "apply", endedAt: base))
        #expect(try await ledger.deleteRuns([gone.runID]) == [gone.runID])
        #expect(try await ledger.pruneRuns(startedBefore: "2026-02-10T00:00:00.000Z") == [old.runID])
        #expect(try await ledger.listRuns(limit: 0).map(\.runID) == [keep.runID])
        #expect(!FileIO.exists("\(fx.repo)/.scp-ledger/ledger/runs/\(gone.runID)"))
        #expect(try fx.git("for-each-ref", "--format=%(refname)", "refs/tags/") == RunID.tagRef(keep.runID))
        try fx.git("fsck", "--strict", "--no-progress")
    }

    @Test func notesAttachToRunTags() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let before = try fx.mainState()
        let ledger = GitLedger(repository: fx.repo)
        let run = try await ledger.recordRun(Run(type: "detect"))
        let tag = RunID.tagRef(run.runID)
        #expect(try await ledger.note(on: tag) == nil)
        try await ledger.appendNote("first message", to: tag)
        try await ledger.appendNote("second message", to: tag)
        let note = try await ledger.note(on: tag)
        #expect(note == "first message\n\nsecond message\n")
        #expect(try fx.git("notes", "--ref=refs/notes/scp", "show", tag) == "first message\n\nsecond message")
        await #expect(throws: LedgerError.self) { try await ledger.appendNote("x", to: tag, ref: "refs/heads/main") }
        await #expect(throws: LedgerError.self) { try await ledger.appendNote("x", to: "--all") }
        #expect(try fx.mainState() == before)
        try fx.git("fsck", "--strict", "--no-progress")
    }
}

/// Collects ids from the observer, which may be called on any thread.
final class Seen: Sendable {
    private let list = Mutex<[String]>([])
    func add(_ id: String) { list.withLock { $0.append(id) } }
    var ids: [String] { list.withLock { $0 } }
}
