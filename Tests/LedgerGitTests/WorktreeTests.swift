import LedgerCore
import LedgerTestSupport
import Testing

@testable import LedgerGit

@Suite struct WorktreeTests {
    @Test func ensureCreatesTheOrphanBranchAndWorktreeAndIsIdempotent() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let before = try fx.mainState()
        let ledger = GitLedger(repository: fx.repo)
        let path = try await ledger.ensureWorktree()
        #expect(path.hasSuffix("/.scp-ledger"))
        #expect(try fx.git("symbolic-ref", "HEAD") == "refs/heads/main")
        // An orphan: no history shared with main.
        let root = try fx.git("rev-list", "--max-parents=0", "refs/heads/scp-ledger")
        let mainRoot = try fx.git("rev-list", "--max-parents=0", "refs/heads/main")
        #expect(root != mainRoot)
        #expect(try GitFixture.git(["symbolic-ref", "HEAD"], in: path) == "refs/heads/scp-ledger")
        #expect(try readFile("\(fx.repo)/.git/info/exclude").contains("/.scp-ledger/"))
        #expect(try fx.mainState() == before)

        // Again, from a new actor and from the same one: nothing changes, no duplicate entry.
        let head = try fx.git("rev-parse", "refs/heads/scp-ledger")
        try await ledger.ensureWorktree()
        try await GitLedger(repository: fx.repo).ensureWorktree()
        #expect(try fx.git("rev-parse", "refs/heads/scp-ledger") == head)
        let exclude = try readFile("\(fx.repo)/.git/info/exclude")
        #expect(exclude.split(separator: "\n").filter { $0 == "/.scp-ledger/" }.count == 1)
        #expect(try fx.mainState() == before)
        #expect(!FileIO.exists("\(fx.repo)/.gitignore"))
        try fx.git("fsck", "--strict", "--no-progress")
    }

    @Test func gitAddAllInMainNeverStagesTheLedger() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        try await ledger.recordRun(Run(type: "detect"))
        try fx.git("add", "-A")
        #expect(try fx.git("diff", "--cached", "--name-only") == "")
    }

    @Test func worksInARepositoryWithoutCommitsOrRemote() async throws {
        let fx = try GitFixture(commit: false)
        defer { fx.remove() }
        let before = try fx.mainState()
        let ledger = GitLedger(repository: fx.repo)
        try await ledger.ensureWorktree()
        #expect(try fx.git("rev-parse", "--verify", "refs/heads/scp-ledger").count == 40)
        #expect(try fx.mainState() == before)
        #expect(try GitFixture.gitOutput(["rev-parse", "--verify", "-q", "HEAD"], in: fx.repo).status != 0)
    }

    @Test func aDeletedWorktreeFolderIsRecreated() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        let run = try await ledger.recordRun(Run(type: "detect"))
        _ = try Shell.run(["rm", "-rf", "--", "\(fx.repo)/.scp-ledger"])
        // The same actor notices, and so does a new one.
        try await ledger.ensureWorktree()
        #expect(FileIO.exists("\(fx.repo)/.scp-ledger/ledger/runs/\(run.runID)/run.json"))
        _ = try Shell.run(["rm", "-rf", "--", "\(fx.repo)/.scp-ledger"])
        let again = try await GitLedger(repository: fx.repo).recordRun(Run(type: "detect"))
        #expect(FileIO.exists("\(fx.repo)/.scp-ledger/ledger/runs/\(again.runID)/run.json"))
        #expect(FileIO.exists("\(fx.repo)/.scp-ledger/ledger/runs/\(run.runID)/run.json"))
        try fx.git("fsck", "--strict", "--no-progress")
    }

    @Test func aStaleAdminEntryIsRepaired() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        try await GitLedger(repository: fx.repo).ensureWorktree()
        // The admin entry goes, the folder with its `.git` file stays.
        _ = try Shell.run(["rm", "-rf", "--", "\(fx.repo)/.git/worktrees"])
        let run = try await GitLedger(repository: fx.repo).recordRun(Run(type: "detect"))
        #expect(try GitFixture.git(["symbolic-ref", "HEAD"], in: "\(fx.repo)/.scp-ledger") == "refs/heads/scp-ledger")
        #expect(try fx.git("ls-tree", "-r", "--name-only", "refs/heads/scp-ledger").contains(run.runID))
    }

    @Test func aFolderWithForeignFilesIsNotDeleted() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        _ = try Shell.run(["mkdir", "-p", "\(fx.repo)/.scp-ledger"])
        try GitFixture.write("\(fx.repo)/.scp-ledger/notes.txt", "mine\n")
        await #expect(throws: LedgerError.self) { try await GitLedger(repository: fx.repo).ensureWorktree() }
        #expect(try readFile("\(fx.repo)/.scp-ledger/notes.txt") == "mine\n")
    }

    @Test func gitignoreIsEditedOnlyWhenAskedFor() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        try GitFixture.write("\(fx.repo)/.gitignore", "build/")
        let ledger = GitLedger(repository: fx.repo, configuration: .init(updateGitignore: true))
        try await ledger.ensureWorktree()
        let text = try readFile("\(fx.repo)/.gitignore")
        #expect(text.hasPrefix("build/\n"))
        #expect(text.contains("\n/.scp-ledger/\n"))
        try await GitLedger(repository: fx.repo, configuration: .init(updateGitignore: true)).ensureWorktree()
        #expect(try readFile("\(fx.repo)/.gitignore") == text)
    }

    @Test func aMissingIdentityFallsBack() async throws {
        let fx = try GitFixture(identity: false)
        defer { fx.remove() }
        // An empty HOME and no system file: git knows no user.name or user.email at all.
        let home = fx.directory.join("home")
        _ = try Shell.run(["mkdir", "-p", home])
        let runner = GitRunner(environment: ["HOME": home, "XDG_CONFIG_HOME": home, "GIT_CONFIG_NOSYSTEM": "1"])
        let ledger = GitLedger(repository: fx.repo, git: runner)
        let run = try await ledger.recordRun(Run(type: "detect"))
        #expect(
            try fx.git("log", "-1", "--format=%an <%ae>", "refs/heads/scp-ledger")
                == "agent-ledger <agent-ledger@localhost>"
        )
        #expect(try fx.git("for-each-ref", "--format=%(taggername)", RunID.tagRef(run.runID)) == "agent-ledger")
    }

    @Test func notARepositoryIsAClearError() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            _ = try await GitLedger(repository: dir.path).listRuns()
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .notARepository)
        }
    }
}
