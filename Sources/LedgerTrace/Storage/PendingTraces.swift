import LedgerChat
public import LedgerCore
public import LedgerGit
import LedgerStore

/// Traces started by one process and stopped by another (`agent-ledger trace start` … `trace stop <id>`).
///
/// A started trace is a small state file, `<git common dir>/scp-ledger-traces/<trace_id>.json`: the
/// trace's header (id, name, classification, start time, user, HEAD) and the ledger root whose day files
/// it will read. It lives in the git folder because the trace belongs to the repository (any worktree,
/// any current folder finds it), it costs no commit, and it never reaches the agents' day files — an event
/// written to mark the start would land in an agent's ledger and in the trace itself. Stopping reads the
/// ledger's events between start and stop from the day files, saves the trace on the ledger branch, and
/// removes the state file.
public struct PendingTraces: Sendable {
    public let ledger: GitLedger

    public init(ledger: GitLedger) { self.ledger = ledger }

    /// A started trace and where its events will be read.
    public struct Pending: Sendable, Hashable {
        public var trace: SessionTrace
        /// The ledger root (the folder holding `g/ledger/`) given at the start.
        public var ledgerRoot: String
    }

    /// Starts a trace now and returns it.
    /// - Parameter ledgerRoot: the absolute ledger root the events will be read from.
    public func start(name: String, classification: String, ledgerRoot: String) async throws(LedgerError) -> Pending {
        var trace = SessionTrace(
            name: name,
            classification: classification,
            user: try await ledger.currentUser(),
            codeRef: try await ledger.currentHead() ?? ""
        )
        trace.startedAt = RunTime.iso8601(nanoseconds: RunTime.nowNanoseconds())
        let pending = Pending(trace: trace, ledgerRoot: ledgerRoot)
        var o = trace.json
        o.appendUnchecked("ledger_root", .string(ledgerRoot))
        var bytes = Array(JSONValue.object(o).jsonString.utf8)
        bytes.append(UInt8(ascii: "\n"))
        try FileSystem.writeAtomically(bytes, to: try await path(trace.traceID))
        return pending
    }

    /// The started trace with this id, or `nil`.
    /// - Throws: ``LedgerError/Code/invalidField`` for a bad id.
    public func load(_ traceID: String) async throws(LedgerError) -> Pending? {
        try TraceID.validate(traceID)
        let file = try await path(traceID)
        guard FileSystem.exists(file) else { return nil }
        let text = String(decoding: try FileSystem.readFile(file), as: UTF8.self)
        let trace = try SessionTrace(jsonText: text)
        let root = (try JSONParser.parse(text).objectValue?["ledger_root"]?.stringValue) ?? ""
        return Pending(trace: trace, ledgerRoot: root)
    }

    /// Every started trace, oldest first.
    public func list() async throws(LedgerError) -> [Pending] {
        let folder = try await self.folder()
        var found: [Pending] = []
        for name in FileSystem.list(folder) where name.hasSuffix(".json") {
            let id = String(name.dropLast(5))
            guard StampedID.isValid(id, prefix: "trace"), let pending = try? await load(id) else { continue }
            found.append(pending)
        }
        return found.sorted { $0.trace.startedAt < $1.trace.startedAt }
    }

    /// Stops a started trace: collects the ledger's events between its start and now (optionally of some
    /// agents or one session), fills in the events and summary, saves it on the ledger branch, removes the
    /// state file, and returns it.
    ///
    /// - Parameters:
    ///   - ledgerRoot: read the day files here instead of the root given at the start.
    /// - Throws: ``LedgerError/Code/notFound`` when no trace with this id was started;
    ///   ``LedgerError/Code/invalidField`` for a bad id.
    public func stop(
        _ traceID: String,
        agents: Set<String> = [],
        sessionID: String? = nil,
        ledgerRoot: String? = nil
    ) async throws(LedgerError) -> SessionTrace {
        guard let pending = try await load(traceID) else {
            if try await TraceStore(ledger: ledger).load(traceID) != nil {
                throw LedgerError(
                    .notFound,
                    "trace \(traceID) is stopped already: see it with `agent-ledger trace show \(traceID)`"
                )
            }
            throw LedgerError(
                .notFound,
                "no trace \(traceID) was started here: list them with `agent-ledger trace list`"
            )
        }
        if let sessionID { try Identifiers.validateSession(sessionID) }
        var trace = pending.trace
        let end = Timestamp.now
        guard let start = TimestampFormat.parseISO8601(trace.startedAt)?.timestamp else {
            throw LedgerError(.invalidJSON, "trace \(traceID) has an unreadable started_at \(trace.startedAt)")
        }
        let collected = try LedgerEventCollector(layout: LedgerLayout(root: ledgerRoot ?? pending.ledgerRoot))
            .collect(from: start, through: end, agents: agents, sessionID: sessionID)
        trace.endedAt = RunTime.iso8601(nanoseconds: end.nanoseconds)
        TraceRecorder.fill(&trace, with: collected.events)
        try await TraceStore(ledger: ledger).save(trace)
        try FileSystem.remove(try await path(traceID))
        return trace
    }

    private func folder() async throws(LedgerError) -> String {
        "\(try await ledger.paths().commonDir)/scp-ledger-traces"
    }

    private func path(_ traceID: String) async throws(LedgerError) -> String {
        "\(try await folder())/\(traceID).json"
    }
}
