public import LedgerCore

extension GitLedger {
    /// Who writes: `git config user.name`, else `$USER`, else empty. Read once per ledger.
    public func currentUser() async throws(LedgerError) -> String {
        let p = try await paths()
        try await prepareIdentity(p)
        return userName
    }

    /// The commit HEAD points at in the work tree the ledger was opened in, or `nil` before the first commit.
    public func currentHead() async throws(LedgerError) -> String? {
        try await headCommit(try await paths())
    }
}
