public import LedgerChat
public import LedgerCore
public import LedgerGit
public import LedgerRuntime

/// Records session traces from the runtime's event bus (seed 004 §1C): start a recording, let the agents
/// work, stop it, and get a ``SessionTrace`` with a deterministic summary; save it on the ledger branch and,
/// if asked, post the summary to chat.
///
/// ```swift
/// let recorder = TraceRecorder(bus: ledger.bus, ledger: git, chat: chat)
/// let id = try await recorder.startRecording(name: "Release 1.2", classification: "deployment")
/// // … work that emits events …
/// await ledger.flush()
/// let trace = try await recorder.stopRecording(id)
/// try await recorder.saveTrace(trace, postSummary: true)
/// ```
///
/// **Several at once.** Each recording is its own bus subscription with its own filter, so recordings
/// overlap freely and each sees every matching event published while it runs.
///
/// **Bounded memory.** A recording keeps at most `bufferSize` events (the subscription's bounded buffer);
/// beyond that the oldest are dropped and counted in ``SessionTrace/droppedEvents`` — never silently. The
/// events wait in the subscription until ``stopRecording(_:)`` drains them, so no task runs per recording.
/// Events reach the bus when the ledger writes them: call `flush()` on the ledger before stopping to
/// include the last ones.
public actor TraceRecorder {
    public nonisolated let bus: EventBus
    /// Where traces are saved, and where `user` and `code_ref` come from; `nil` records without git.
    public nonisolated let ledger: GitLedger?
    /// Where ``saveTrace(_:postSummary:threadID:runID:)`` posts summaries.
    public nonisolated let chat: Chat?
    /// The most events one recording keeps. Default 10,000.
    public nonisolated let bufferSize: Int

    private struct Recording {
        var trace: SessionTrace
        let subscription: EventSubscription
    }

    private var recordings: [String: Recording] = [:]

    /// - Parameters:
    ///   - bus: the bus to record from, usually `ledger.bus`.
    ///   - ledger: the git ledger traces are saved in.
    ///   - chat: the chat summaries are posted to; default one in `ledger`.
    ///   - bufferSize: the most events one recording keeps.
    public init(bus: EventBus, ledger: GitLedger? = nil, chat: Chat? = nil, bufferSize: Int = 10_000) {
        self.bus = bus
        self.ledger = ledger
        self.chat = chat ?? ledger.map { Chat(ledger: $0) }
        self.bufferSize = max(1, bufferSize)
    }

    /// Starts a recording: subscribes to the bus and returns the new trace id.
    ///
    /// - Parameters:
    ///   - name: what the session is, e.g. `Release 1.2`.
    ///   - classification: `deployment`, `debugging`, `config`, `exploration`, …
    ///   - user: who records; default `git config user.name` when a git ledger is set.
    ///   - filter: which events to record; default all.
    /// - Throws: git errors while reading the user and HEAD.
    public func startRecording(
        name: String = "",
        classification: String = "",
        user: String = "",
        filter: EventFilter = .all
    ) async throws(LedgerError) -> String {
        var trace = SessionTrace(name: name, classification: classification, user: user)
        if let ledger {
            if trace.user.isEmpty { trace.user = try await ledger.currentUser() }
            trace.codeRef = try await ledger.currentHead() ?? ""
        }
        // Subscribed last, so the git calls above cannot delay the first events it sees.
        let subscription = bus.subscribe(filter, bufferSize: bufferSize)
        recordings[trace.traceID] = Recording(trace: trace, subscription: subscription)
        return trace.traceID
    }

    /// The ids of the recordings in progress, sorted.
    public var activeTraceIDs: [String] { recordings.keys.sorted() }

    /// Stops a recording: unsubscribes, takes every event it holds, and returns the trace with its
    /// `ended_at` and summary.
    /// - Throws: ``LedgerError/Code/notFound`` when no recording with this id is in progress.
    public func stopRecording(_ traceID: String) async throws(LedgerError) -> SessionTrace {
        guard let recording = recordings.removeValue(forKey: traceID) else {
            throw LedgerError(.notFound, "no recording \(traceID) is in progress (started in this process)")
        }
        let subscription = recording.subscription
        subscription.cancel()
        var events: [LedgerEvent] = []
        // Cancelled, the subscription yields what it holds and then ends.
        for await event in subscription { events.append(event) }
        var trace = recording.trace
        trace.endedAt = RunTime.iso8601(nanoseconds: RunTime.nowNanoseconds())
        trace.droppedEvents = Int(subscription.droppedCount)
        Self.fill(&trace, with: events)
        return trace
    }

    /// Saves a trace on the ledger branch (`traces/<trace_id>.json`) and, with `postSummary`, posts its
    /// summary as a chat message with `source: "trace"` (to the thread or run given, else `general`).
    ///
    /// - Returns: the chat message posted, if any.
    /// - Throws: ``LedgerError/Code/invalidConfiguration`` when the recorder has no git ledger;
    ///   ``LedgerError/Code/fileExists`` when the trace is saved already; chat errors for the post.
    @discardableResult
    public func saveTrace(
        _ trace: SessionTrace,
        postSummary: Bool = false,
        threadID: String? = nil,
        runID: String? = nil
    ) async throws(LedgerError) -> ChatMessage? {
        guard let ledger else {
            throw LedgerError(.invalidConfiguration, "this recorder has no git ledger to save traces in")
        }
        try await TraceStore(ledger: ledger).save(trace)
        guard postSummary, let chat else { return nil }
        return try await chat.sendMessage(
            trace.chatText,
            threadID: threadID,
            runID: runID,
            source: .trace,
            user: trace.user.isEmpty ? nil : trace.user
        )
    }

    /// The one-line summary of a trace; see ``TraceSummary``.
    public nonisolated static func generateSummary(_ trace: SessionTrace) -> String {
        TraceSummary.generate(trace)
    }

    /// Puts `events` (in the order given) into `trace` as trace events, with audit refs and the summary.
    public nonisolated static func fill(_ trace: inout SessionTrace, with events: [LedgerEvent]) {
        trace.events = events.enumerated().map { TraceEvent(seq: $0.offset + 1, event: $0.element) }
        trace.auditRefs = events.compactMap { $0.id?.description }
        trace.autoSummary = TraceSummary.generate(trace)
    }
}
