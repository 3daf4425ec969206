extension GitLedger {
    /// How a git ledger names things and how long it waits. Every default is the seed's.
    public struct Configuration: Sendable, Hashable {
        /// The orphan branch that holds the ledger. Default `scp-ledger`.
        public var branch: String
        /// The ledger worktree's folder name inside the main work tree. Default `.scp-ledger`.
        public var folderName: String
        /// The remote to push to and pull from. Default `origin`.
        public var remote: String
        /// How long a write waits for another process's lock, in seconds. Default 60.
        public var lockTimeout: Double
        /// Whether ``GitLedger/ensureWorktree()`` also adds `/.scp-ledger/` to the main work tree's
        /// `.gitignore`. Default `false`: the entry in `.git/info/exclude` already keeps the ledger
        /// out of `git status` and `git add -A`, while editing `.gitignore` would itself leave the
        /// user's work tree dirty. Turn it on for a project that wants the entry committed.
        public var updateGitignore: Bool
        /// The committer name used when `user.name` is not set. Default `agent-ledger`.
        public var fallbackName: String
        /// The committer email used when `user.email` is not set. Default `agent-ledger@localhost`.
        public var fallbackEmail: String

        public init(
            branch: String = "scp-ledger",
            folderName: String = ".scp-ledger",
            remote: String = "origin",
            lockTimeout: Double = 60,
            updateGitignore: Bool = false,
            fallbackName: String = "agent-ledger",
            fallbackEmail: String = "agent-ledger@localhost"
        ) {
            self.branch = branch
            self.folderName = folderName
            self.remote = remote
            self.lockTimeout = lockTimeout
            self.updateGitignore = updateGitignore
            self.fallbackName = fallbackName
            self.fallbackEmail = fallbackEmail
        }

        /// `refs/heads/<branch>`.
        public var branchRef: String { "refs/heads/\(branch)" }
        /// `refs/remotes/<remote>/<branch>`.
        public var remoteBranchRef: String { "refs/remotes/\(remote)/\(branch)" }
    }
}
