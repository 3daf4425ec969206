public import LedgerCore

/// What ``GitLedger/pullNotes(ref:)`` or ``GitLedger/pushNotes(ref:)`` did with one notes ref.
public struct NotesSyncReport: Sendable, Hashable {
    /// The notes ref, a full name under `refs/notes/`.
    public var ref: String
    /// Why nothing was synced (no remote), or `nil` when it ran.
    public var skipped: String?
    /// Whether the remote has the notes ref.
    public var remoteHasNotes: Bool
    /// The local notes ref's commit before and after.
    public var before: String?
    public var after: String?
    /// The push of the notes ref, for a push that had something to send.
    public var pushed: RefUpdate?

    public init(
        ref: String,
        skipped: String? = nil,
        remoteHasNotes: Bool = false,
        before: String? = nil,
        after: String? = nil,
        pushed: RefUpdate? = nil
    ) {
        self.ref = ref
        self.skipped = skipped
        self.remoteHasNotes = remoteHasNotes
        self.before = before
        self.after = after
        self.pushed = pushed
    }

    /// Whether the local notes changed (the remote's were merged in).
    public var updated: Bool { before != after }
}

extension NotesSyncReport {
    /// The report as JSON for scripts.
    public var json: JSONObject {
        [
            "ref": .string(ref),
            "skipped": skipped.map { .string($0) } ?? .null,
            "remote_has_notes": .bool(remoteHasNotes),
            "before": before.map { .string($0) } ?? .null,
            "after": after.map { .string($0) } ?? .null,
            "pushed": pushed.map { .string($0.outcome.rawValue) } ?? .null,
        ]
    }
}
