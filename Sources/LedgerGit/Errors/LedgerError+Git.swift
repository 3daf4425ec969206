public import LedgerCore

extension LedgerError.Code {
    /// A git command failed; the error's `cause` holds git's own words.
    public static let gitFailed = Self("git_failed")
    /// The folder is not inside a git repository, or the repository cannot hold a ledger (a bare one).
    public static let notARepository = Self("not_a_repository")
    /// A run id outside the pattern `run_<YYYY-MM-DDTHHMMSS>_<type>_<4 random>`.
    public static let invalidRunID = Self("invalid_run_id")
    /// A run that is not acceptable: a bad type, a bad status, a field of the wrong shape.
    public static let invalidRun = Self("invalid_run")
    /// A run with this id already exists; runs and their tags are never overwritten.
    public static let runExists = Self("run_exists")
    /// Another process held the ledger lock for longer than the configured wait.
    public static let lockTimeout = Self("lock_timeout")
    /// The remote refused an update (a rejected push, a tag that already exists with another value).
    public static let rejected = Self("rejected")
    /// The ledger worktree is damaged in a way that cannot be repaired without losing data.
    public static let brokenWorktree = Self("broken_worktree")
    /// A file on the ledger branch that a write meant to create exists already; files are never overwritten
    /// by a create.
    public static let fileExists = Self("file_exists")
}
