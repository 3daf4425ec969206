public import LedgerCore

/// What ``GitLedger/pullLedger()`` did.
public struct PullReport: Sendable, Hashable {
    /// Why nothing was pulled (no remote), or `nil` when the pull ran.
    public var skipped: String?
    /// Whether the remote has a ledger branch.
    public var remoteHasBranch: Bool
    /// The local ledger branch's commit before and after.
    public var branchBefore: String?
    public var branchAfter: String?
    /// Full names of the run tags fetched.
    public var fetchedTags: [String]
    /// Full names of run tags that exist locally and on the remote with different values; left alone,
    /// because a tag is never moved.
    public var conflictingTags: [String]

    public init(
        skipped: String? = nil,
        remoteHasBranch: Bool = false,
        branchBefore: String? = nil,
        branchAfter: String? = nil,
        fetchedTags: [String] = [],
        conflictingTags: [String] = []
    ) {
        self.skipped = skipped
        self.remoteHasBranch = remoteHasBranch
        self.branchBefore = branchBefore
        self.branchAfter = branchAfter
        self.fetchedTags = fetchedTags
        self.conflictingTags = conflictingTags
    }

    /// Whether the local ledger branch changed.
    public var branchUpdated: Bool { branchBefore != branchAfter }
}

extension PullReport {
    /// The report as JSON for scripts.
    public var json: JSONObject {
        [
            "skipped": skipped.map { .string($0) } ?? .null,
            "remote_has_branch": .bool(remoteHasBranch),
            "branch_before": branchBefore.map { .string($0) } ?? .null,
            "branch_after": branchAfter.map { .string($0) } ?? .null,
            "fetched_tags": .array(fetchedTags.map { .string($0) }),
            "conflicting_tags": .array(conflictingTags.map { .string($0) }),
        ]
    }
}
