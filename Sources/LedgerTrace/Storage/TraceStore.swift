import LedgerChat
public import LedgerCore
public import LedgerGit

/// Saved traces on the ledger branch: `traces/<trace_id>.json`, one compact JSON object each.
///
/// Writes go through ``LedgerGit/GitLedger/commitFiles(_:message:)`` (under the ledger lock); a saved trace
/// is never overwritten. Reads take no lock.
public struct TraceStore: Sendable {
    public let ledger: GitLedger
    /// The folder on the ledger branch. Default `traces`.
    public let folder: String

    public init(ledger: GitLedger, folder: String = "traces") {
        self.ledger = ledger
        self.folder = folder
    }

    /// Saves a finished trace as `traces/<trace_id>.json` and commits it.
    /// - Throws: ``LedgerError/Code/invalidField`` for a bad trace id; ``LedgerError/Code/fileExists`` when
    ///   a trace with that id is saved already.
    public func save(_ trace: SessionTrace) async throws(LedgerError) {
        try TraceID.validate(trace.traceID)
        var bytes = Array(JSONValue.object(trace.json).jsonString.utf8)
        bytes.append(UInt8(ascii: "\n"))
        try await ledger.commitFiles(
            [.create(bytes, at: "\(folder)/\(trace.traceID).json")],
            message: "trace: \(trace.traceID)"
        )
    }

    /// The saved trace with this id, or `nil`.
    /// - Throws: ``LedgerError/Code/invalidField`` for a bad id; ``LedgerError/Code/invalidJSON`` for a damaged file.
    public func load(_ traceID: String) async throws(LedgerError) -> SessionTrace? {
        try TraceID.validate(traceID)
        guard let bytes = try await ledger.readLedgerFile("\(folder)/\(traceID).json") else { return nil }
        return try SessionTrace(jsonText: String(decoding: bytes, as: UTF8.self))
    }

    /// Every saved trace, newest first (by `started_at`, then id). Damaged files are skipped.
    public func list() async throws(LedgerError) -> [SessionTrace] {
        var traces: [SessionTrace] = []
        for name in try await ledger.ledgerFolderEntries(folder) where name.hasSuffix(".json") {
            let id = String(name.dropLast(5))
            guard StampedID.isValid(id, prefix: "trace"),
                let bytes = try await ledger.readLedgerFile("\(folder)/\(name)"),
                let trace = try? SessionTrace(jsonText: String(decoding: bytes, as: UTF8.self))
            else { continue }
            traces.append(trace)
        }
        traces.sort { a, b in a.startedAt != b.startedAt ? a.startedAt > b.startedAt : a.traceID > b.traceID }
        return traces
    }
}
