public import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The git-native ledger of one repository: runs on the orphan branch `scp-ledger`, checked out in the
/// persistent worktree `.scp-ledger/`, and an annotated tag `refs/tags/scp/run/<id>` per run on the main
/// commit it ran against (seed 004 §1A).
///
/// ```swift
/// let ledger = GitLedger(repository: "/path/to/project")
/// let run = try await ledger.recordRun(Run(type: "apply", summary: "Applied 3 resources"))
/// let recent = try await ledger.listRuns(limit: 20)
/// let report = try await ledger.pushLedger()
/// ```
///
/// **Errors.** Every operation throws only ``LedgerCore/LedgerError`` (typed `throws(LedgerError)`), so a
/// caller handles one concrete type with a code and a message and nothing else can escape; nothing
/// traps. A missing remote is not an error: push and pull return a report that says they were skipped.
///
/// **Concurrency.** The actor serializes calls within a process; a file lock (`flock`) in the repository's
/// common git folder serializes every write across processes, so several orchestrators can record at once.
/// Reads (`listRuns`, `getRun`) take no lock.
///
/// **The user's work tree.** Nothing here touches the main work tree's branch, index, HEAD or files:
/// writes happen in `.scp-ledger/` (its own index), and `.scp-ledger/` is listed in `.git/info/exclude`.
///
/// **Cost.** `recordRun` runs about five short git commands; `listRuns` runs one `git for-each-ref`
/// whatever the number of runs.
public actor GitLedger {
    /// The folder the ledger was opened for (any folder inside the repository).
    public nonisolated let repository: String
    public nonisolated let configuration: Configuration
    private let onRunRecorded: (@Sendable (Run) -> Void)?
    var git: GitRunner
    private var resolvedPaths: RepositoryPaths?
    private var identityChecked = false
    var userName = ""
    /// Set once the worktree has been seen healthy in this process; a cheap `stat` then confirms it.
    var worktreeVerified = false

    /// Opens the ledger of the repository that contains `repository`. Nothing runs until the first call.
    ///
    /// - Parameters:
    ///   - repository: a folder inside the repository's work tree.
    ///   - configuration: names and limits; the defaults are the seed's.
    ///   - git: the runner for git commands.
    ///   - onRunRecorded: called after each run is committed and tagged (the runtime publishes
    ///     `ledger:run` on its event bus here). It runs on the ledger's executor: keep it short.
    public init(
        repository: String,
        configuration: Configuration = Configuration(),
        git: GitRunner = GitRunner(),
        onRunRecorded: (@Sendable (Run) -> Void)? = nil
    ) {
        self.repository = repository
        self.configuration = configuration
        self.git = git
        self.onRunRecorded = onRunRecorded
    }

    /// The repository's paths, resolved with one `git rev-parse` on first use.
    ///
    /// - Throws: ``LedgerError/Code/notARepository`` when `repository` is not inside a work tree.
    public func paths() async throws(LedgerError) -> RepositoryPaths {
        if let resolvedPaths { return resolvedPaths }
        guard FileIO.isDirectory(repository) else {
            throw LedgerError(.notARepository, "\(repository) is not a folder: give the path of a git repository")
        }
        let out = try await git.run(
            ["rev-parse", "--path-format=absolute", "--show-toplevel", "--git-common-dir"],
            in: repository
        )
        let lines = out.lines.map(String.init)
        guard out.succeeded, lines.count == 2 else {
            throw LedgerError(
                .notARepository,
                "\(repository) is not inside a git work tree: run `git init` there, or pass --repo with a repository's folder",
                cause: out.stderr.trimmingWhitespaceAndNewlines
            )
        }
        var workTree = lines[0]
        let commonDir = lines[1]
        let mainWorkTree: String
        if commonDir.hasSuffix("/.git") {
            mainWorkTree = String(commonDir.dropLast(5))
        } else {
            let list = try await git.check(["worktree", "list", "--porcelain"], in: repository)
            guard let first = list.lines.first, first.hasPrefix("worktree ") else {
                throw LedgerError(.notARepository, "cannot find the main work tree of \(repository)")
            }
            mainWorkTree = String(first.dropFirst("worktree ".count))
        }
        // Opened from inside the ledger worktree: the code it describes is the main work tree's.
        if workTree == "\(mainWorkTree)/\(configuration.folderName)" { workTree = mainWorkTree }
        let p = RepositoryPaths(
            workTree: workTree,
            mainWorkTree: mainWorkTree,
            commonDir: commonDir,
            folderName: configuration.folderName
        )
        resolvedPaths = p
        return p
    }

    /// Reads `user.name` and `user.email` once; when either is unset, every later git command gets a
    /// fallback (`-c user.name=agent-ledger`), so commits and tags never fail for want of an identity.
    func prepareIdentity(_ p: RepositoryPaths) async throws(LedgerError) {
        guard !identityChecked else { return }
        applyIdentity(try await git.run(Self.identityArguments, in: p.workTree))
    }

    /// Runs the first-use checks (identity, worktree health) side by side; later calls cost nothing.
    func warmUp(_ p: RepositoryPaths) async throws(LedgerError) {
        let needIdentity = !identityChecked
        let needHealth = !worktreeVerified && FileIO.isRegularFile("\(p.ledgerWorkTree)/.git")
        guard needIdentity || needHealth else { return }
        let runner = git
        async let identity = Self.optionalOutcome(runner, needIdentity ? Self.identityArguments : nil, in: p.workTree)
        async let branch = Self.optionalOutcome(
            runner,
            needHealth ? ["symbolic-ref", "-q", "HEAD"] : nil,
            in: p.ledgerWorkTree,
            ceiling: p.mainWorkTree
        )
        let (identityOut, branchOut) = await (identity, branch)
        if let out = try identityOut.get() { applyIdentity(out) }
        if let out = try branchOut.get() { worktreeVerified = out.succeeded && out.text == configuration.branchRef }
    }

    private static let identityArguments = ["config", "--get-regexp", "^user\\.(name|email)$"]

    private func applyIdentity(_ out: GitOutput) {
        guard !identityChecked else { return }
        var name = ""
        var email = ""
        for line in out.lines {
            if line.hasPrefix("user.name ") { name = String(line.dropFirst("user.name ".count)) }
            if line.hasPrefix("user.email ") { email = String(line.dropFirst("user.email ".count)) }
        }
        var extra: [String] = []
        if name.isEmpty { extra.append("user.name=\(configuration.fallbackName)") }
        if email.isEmpty { extra.append("user.email=\(configuration.fallbackEmail)") }
        git.extraConfiguration.append(contentsOf: extra)
        userName = name.isEmpty ? (getenv("USER").map { String(cString: $0) } ?? "") : name
        identityChecked = true
    }

    /// Runs `body` while holding the ledger's cross-process lock.
    @discardableResult
    func withLock<T>(
        _ p: RepositoryPaths,
        _ body: () async throws(LedgerError) -> T
    ) async throws(LedgerError) -> T {
        let lock = try await LedgerLock.acquire(path: p.lockFile, timeout: configuration.lockTimeout)
        defer { lock.release() }
        Self.removeStaleIndexLock(p)
        return try await body()
    }

    /// Removes the ledger worktree's `index.lock` when a git killed mid-commit left it behind.
    ///
    /// Every ledger write runs git in that worktree only while holding the ledger lock, so a lock file
    /// found under it belongs to a process that died; one younger than a minute is left alone, in case
    /// a person is running git in `.scp-ledger` by hand.
    static func removeStaleIndexLock(_ p: RepositoryPaths) {
        guard let dotGit = try? FileIO.readFile("\(p.ledgerWorkTree)/.git") else { return }
        let text = String(decoding: dotGit, as: UTF8.self)
        guard text.hasPrefix("gitdir: ") else { return }
        var gitDir = String(text.dropFirst("gitdir: ".count))
        while gitDir.hasSuffix("\n") || gitDir.hasSuffix("\r") { gitDir.removeLast() }
        if !gitDir.hasPrefix("/") { gitDir = "\(p.ledgerWorkTree)/\(gitDir)" }
        let lockPath = "\(gitDir)/index.lock"
        var st = stat()
        guard lstat(lockPath, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return }
        if time(nil) - st.st_mtim.tv_sec >= 60 { unlink(lockPath) }
    }

    /// Runs git in the ledger worktree, never in the enclosing repository: the main work tree is a
    /// ceiling, so a worktree whose `.git` file is gone makes the command fail instead.
    @discardableResult
    func ledgerGit(
        _ arguments: [String],
        _ p: RepositoryPaths,
        input: [UInt8]? = nil
    ) async throws(LedgerError) -> GitOutput {
        try await git.check(arguments, in: p.ledgerWorkTree, input: input, ceiling: p.mainWorkTree)
    }

    /// The commit HEAD points at in the work tree the ledger was opened in, or `nil` before the first commit.
    func headCommit(_ p: RepositoryPaths) async throws(LedgerError) -> String? {
        let out = try await git.run(["rev-parse", "--verify", "-q", "HEAD^{commit}"], in: p.workTree)
        return out.succeeded ? out.text : nil
    }

    func notifyRecorded(_ run: Run) {
        onRunRecorded?(run)
    }
}
