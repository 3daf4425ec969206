public import LedgerCore
public import LedgerGit

/// What ``Chat/pushChat()`` or ``Chat/pullChat()`` did: the ledger branch (thread files) and run tags, and
/// the chat notes.
public struct ChatSyncReport: Sendable, Hashable {
    /// The push of the ledger branch and run tags, for a push.
    public var push: PushReport?
    /// The pull of the ledger branch and run tags, for a pull.
    public var pull: PullReport?
    /// The sync of `refs/notes/scp-chat`.
    public var notes: NotesSyncReport

    public init(push: PushReport? = nil, pull: PullReport? = nil, notes: NotesSyncReport) {
        self.push = push
        self.pull = pull
        self.notes = notes
    }

    /// Why nothing was synced (no remote), or `nil`.
    public var skipped: String? { notes.skipped }

    /// Whether nothing was refused by the remote.
    public var succeeded: Bool {
        skipped == nil && (push.map { $0.rejected.isEmpty } ?? true) && notes.pushed?.outcome != .rejected
    }

    /// The report as JSON for scripts.
    public var json: JSONObject {
        var o = JSONObject()
        if let push { o.appendUnchecked("branch", .object(push.json)) }
        if let pull { o.appendUnchecked("branch", .object(pull.json)) }
        o.appendUnchecked("notes", .object(notes.json))
        return o
    }
}
