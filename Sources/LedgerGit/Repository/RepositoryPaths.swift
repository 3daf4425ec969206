/// Where the ledger's pieces live for one repository. Every path is absolute.
public struct RepositoryPaths: Sendable, Hashable {
    /// The top of the work tree the ledger was opened in: its HEAD is a run's `code_ref`.
    public var workTree: String
    /// The main work tree, which holds the ledger worktree.
    public var mainWorkTree: String
    /// The repository's common git folder (`git rev-parse --git-common-dir`), shared by all worktrees.
    public var commonDir: String
    /// The ledger worktree: `<main work tree>/.scp-ledger`.
    public var ledgerWorkTree: String

    public init(workTree: String, mainWorkTree: String, commonDir: String, folderName: String) {
        self.workTree = workTree
        self.mainWorkTree = mainWorkTree
        self.commonDir = commonDir
        self.ledgerWorkTree = "\(mainWorkTree)/\(folderName)"
    }

    /// The lock every ledger write holds: `<common dir>/scp-ledger.lock`.
    public var lockFile: String { "\(commonDir)/scp-ledger.lock" }
    /// Run ids recorded while main had no commit, waiting for their tag: `<common dir>/scp-ledger-deferred-tags`.
    public var deferredTagsFile: String { "\(commonDir)/scp-ledger-deferred-tags" }
    /// The repository's private ignore file: `<common dir>/info/exclude`.
    public var excludeFile: String { "\(commonDir)/info/exclude" }
    /// The folder that holds the runs inside the ledger worktree.
    public var runsFolder: String { "\(ledgerWorkTree)/ledger/runs" }

    /// The folder of one run: `<ledger worktree>/ledger/runs/<id>`.
    public func runFolder(_ id: String) -> String { "\(runsFolder)/\(id)" }
}
