public import LedgerCore
import LedgerGit

extension Chat {
    /// Pushes chat to the remote (default `origin`): the ledger branch with the thread files and the run
    /// tags (``GitLedger/pushLedger(includeUnpublishedTags:)``), then `refs/notes/scp-chat` after merging the
    /// remote's notes in (``GitLedger/pushNotes(ref:)``). Never forced.
    ///
    /// Without the remote nothing happens and the report says why.
    @discardableResult
    public func pushChat() async throws(LedgerError) -> ChatSyncReport {
        let branch = try await ledger.pushLedger()
        let notes = try await ledger.pushNotes(ref: configuration.notesRef)
        return ChatSyncReport(push: branch, notes: notes)
    }

    /// Pulls chat from the remote: the ledger branch (local commits rebased onto the remote's; thread files
    /// merge line by line through `*.jsonl merge=union`) and the run tags, then the remote's notes, merged
    /// keeping every line (``GitLedger/pullNotes(ref:)``).
    ///
    /// Without the remote nothing happens and the report says why.
    @discardableResult
    public func pullChat() async throws(LedgerError) -> ChatSyncReport {
        let branch = try await ledger.pullLedger()
        let notes = try await ledger.pullNotes(ref: configuration.notesRef)
        return ChatSyncReport(pull: branch, notes: notes)
    }
}
