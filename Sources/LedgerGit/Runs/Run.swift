public import LedgerCore

/// One significant operation that was executed: a deploy, a scan, a generation (seed 004 §1A.4).
///
/// A run is stored twice: as `ledger/runs/<run_id>/run.json` on the `scp-ledger` branch, and as the
/// compact JSON message of the annotated tag `refs/tags/scp/run/<run_id>` on the main commit that was
/// HEAD when it ran. The JSON keys are the seed's snake_case names.
///
/// ```swift
/// let run = Run(type: "apply", subtype: "k8s:apply", summary: "Applied 3 resources")
/// let recorded = try await ledger.recordRun(run)
/// ```
public struct Run: Sendable, Hashable {
    /// `run_<YYYY-MM-DDTHHMMSS>_<type>_<4 random>`; see ``RunID``.
    public var runID: String
    /// The operation type: `detect`, `apply`, `generate`, … (`[a-z0-9][a-z0-9._:-]{0,63}`).
    public var type: String
    /// A more specific kind: `k8s:apply`, `vault:unlock`, …
    public var subtype: String
    public var status: RunStatus
    /// Who ran it: `git config user.name`, filled in when recorded if empty.
    public var user: String
    /// The main commit that was HEAD when it ran, filled in when recorded; empty in a repository without commits.
    public var codeRef: String
    /// ISO 8601, UTC.
    public var startedAt: String
    /// ISO 8601, UTC.
    public var endedAt: String
    public var durationMs: Int64
    public var environment: String
    public var modulesAffected: [String]
    /// A one-line human summary.
    public var summary: String
    public var metadata: JSONObject

    /// A run with every field given.
    public init(
        runID: String,
        type: String,
        subtype: String = "",
        status: RunStatus = .ok,
        user: String = "",
        codeRef: String = "",
        startedAt: String,
        endedAt: String,
        durationMs: Int64 = 0,
        environment: String = "",
        modulesAffected: [String] = [],
        summary: String = "",
        metadata: JSONObject = [:]
    ) {
        self.runID = runID
        self.type = type
        self.subtype = subtype
        self.status = status
        self.user = user
        self.codeRef = codeRef
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.durationMs = durationMs
        self.environment = environment
        self.modulesAffected = modulesAffected
        self.summary = summary
        self.metadata = metadata
    }

    /// A new run of `type` that ended at `endedAt` (nanoseconds since 1970; default now) after `durationMs`,
    /// with a fresh id.
    public init(
        type: String,
        subtype: String = "",
        status: RunStatus = .ok,
        summary: String = "",
        environment: String = "",
        modulesAffected: [String] = [],
        metadata: JSONObject = [:],
        durationMs: Int64 = 0,
        endedAt: Int64 = RunTime.nowNanoseconds()
    ) {
        let started = endedAt - max(0, durationMs) * 1_000_000
        self.init(
            runID: RunID.make(type: type, at: started),
            type: type,
            subtype: subtype,
            status: status,
            startedAt: RunTime.iso8601(nanoseconds: started),
            endedAt: RunTime.iso8601(nanoseconds: endedAt),
            durationMs: max(0, durationMs),
            environment: environment,
            modulesAffected: modulesAffected,
            summary: summary,
            metadata: metadata
        )
    }

    /// Throws ``LedgerError/Code/invalidRunID`` or ``LedgerError/Code/invalidRun`` when the run cannot be stored.
    public func validate() throws(LedgerError) {
        try RunID.validate(runID)
        guard RunID.isValidType(type) else {
            throw LedgerError(.invalidRun, "run type \"\(type)\" is invalid: use \(RunID.typeRule)")
        }
        guard durationMs >= 0 else {
            throw LedgerError(
                .invalidRun,
                "duration_ms \(durationMs) is negative: give the run's length in milliseconds"
            )
        }
    }
}
