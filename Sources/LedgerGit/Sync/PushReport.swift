public import LedgerCore

/// What ``GitLedger/pushLedger(includeUnpublishedTags:)`` did.
public struct PushReport: Sendable, Hashable {
    /// Why nothing was pushed (no remote), or `nil` when the push ran.
    public var skipped: String?
    /// The ledger branch's update on the remote.
    public var branch: RefUpdate?
    /// One entry per run tag sent (or found already present with another value).
    public var tags: [RefUpdate]
    /// Run tags not sent because their main commit is not on the remote yet: pushing a tag uploads the
    /// commit it points to. Push main first, or push again with `includeUnpublishedTags`.
    public var heldBack: [String]

    public init(skipped: String? = nil, branch: RefUpdate? = nil, tags: [RefUpdate] = [], heldBack: [String] = []) {
        self.skipped = skipped
        self.branch = branch
        self.tags = tags
        self.heldBack = heldBack
    }

    /// Every update the remote refused.
    public var rejected: [RefUpdate] { ([branch].compactMap { $0 } + tags).filter { !$0.succeeded } }

    /// Whether the push ran and the remote accepted everything that was sent.
    public var succeeded: Bool { skipped == nil && rejected.isEmpty }
}

extension PushReport {
    /// The report as JSON for scripts.
    public var json: JSONObject {
        [
            "skipped": skipped.map { .string($0) } ?? .null,
            "succeeded": .bool(succeeded),
            "branch": branch.map { .object($0.json) } ?? .null,
            "tags": .array(tags.map { .object($0.json) }),
            "held_back": .array(heldBack.map { .string($0) }),
        ]
    }
}
