import CoreMetrics
import LedgerCore
import LedgerStore
import Synchronization

/// The ledger: records what agents do into per-agent day files, durably and fast.
///
/// `emit` is synchronous, never throws, never awaits and costs no actor hop: it validates and
/// encodes the event in the caller's thread. In async mode (`AGI_EVENT_ASYNC=true`) the line goes
/// into a bounded queue that ``run()`` drains in batches, one write per agent file per batch, by
/// an actor per agent; in sync mode the line is in the file when `emit` returns.
///
/// ```swift
/// var config = LedgerConfiguration()
/// config.async = true
/// let ledger = try Ledger(configuration: config)
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { try await ledger.run() }
///     ledger.agent("cls").taskStart("wo-1", summary: "Layout SPEC")
///     ledger.emit("info", agent: "cls", data: ["note": "hello"])
///     await ledger.shutdown()
/// }
/// ```
///
/// Or let ``withLedger(configuration:timeSource:_:)`` run and shut it down around a body.
public final class Ledger: Sendable {
    public let configuration: LedgerConfiguration
    public let encoder: EventEncoder
    public let layout: LedgerLayout
    /// Every accepted event is published here after it is written (seed 001's bus).
    public let bus = EventBus()
    /// The agent used by the seed 003 calls (`emitEvent`, `emitAlert`, …).
    public let defaultAgent: String

    let queue: EventQueue?
    let budget: PendingBudget
    let metrics: LedgerMetrics
    let flusher: Flusher
    let control = Mutex(ControlState())
    let syncState = Mutex(SyncState())
    let rejected = Atomic<UInt64>(0)
    let lastRejection = Mutex<LedgerError?>(nil)
    let lastWriteFailure = Mutex<LedgerError?>(nil)
    let compatibilityFile: CompatibilityFile?
    /// Seed 001's global stream, when `ledger.global_events` is on.
    let globalStream: GlobalEventStream?
    /// Injected write faults, for tests.
    let faults: (any WriteFaults)?

    struct ControlState {
        var runnerActive = false
        var shutdownStarted = false
        var finished = false
        var report: ShutdownReport?
        var flushRequested = false
        var abandon = false
        var nextWaiterID = 0
        var flushWaiters: [(id: Int, target: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
        var shutdownRequestWaiters: [CheckedContinuation<Void, Never>] = []
        var writtenSequence: UInt64 = 0
        /// Events of the batch being written right now: taken from the queue, not yet counted as
        /// written or dropped.
        var inFlight = 0
        /// The flusher's counters after its last batch, so that statistics never wait for a writer
        /// that may be stuck in a write.
        var flushTotals = FlushTotals()
        var pendingEventsAtLastCheck = 0
        var reportedCounters = EventQueue.Counters()
        /// The last drain started by `flush` or `shutdown` without `run()`. Each waits for the one
        /// before it, so that batches reach the files in queue order even when a drain outlives the
        /// call that started it.
        var lastDrain: Task<Void, Never>?
    }

    struct SyncState {
        var writers: [String: DayFileWriter] = [:]
        var statusPending: [String: [LedgerEvent]] = [:]
        var statusWrittenAt: [String: UInt64] = [:]
        var written: UInt64 = 0
        var failed: UInt64 = 0
    }

    /// Makes a ledger from settings (see ``LedgerConfiguration/load(overrides:environment:configFile:)``).
    ///
    /// - Parameters:
    ///   - agent: the agent for seed 003's agent-less calls; default `orchestrator`.
    ///   - metricsFactory: where the swift-metrics instruments come from (accepted, dropped by reason,
    ///     written, write errors, queue depth, batch size, flush duration); default the bootstrapped system.
    ///   - faults: write faults to inject, for tests of the supervisor; `nil` in production.
    /// - Throws: `invalidConfiguration` for settings that cannot be used.
    public init(
        configuration: LedgerConfiguration,
        timeSource: any TimeSource = SystemTimeSource(),
        agent: String = "orchestrator",
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        faults: (any WriteFaults)? = nil
    ) throws(LedgerError) {
        try configuration.validate()
        self.faults = faults
        self.metrics = LedgerMetrics(factory: metricsFactory)
        try Identifiers.validateAgent(agent)
        self.configuration = configuration
        self.encoder = try configuration.makeEncoder(timeSource: timeSource)
        self.layout = configuration.layout
        self.defaultAgent = agent
        self.budget = PendingBudget(limit: configuration.bufferBytes)
        let zone = encoder.timeZone
        let ledgerPathErrors = metrics.ledgerPathErrors
        self.compatibilityFile = configuration.ledgerPath.map {
            CompatibilityFile(
                path: $0,
                fsync: configuration.fsync,
                lockTimeout: configuration.lockTimeout,
                timeZone: zone,
                timeSource: timeSource,
                failureCounter: ledgerPathErrors
            )
        }
        self.globalStream =
            configuration.globalEvents
            ? GlobalEventStream(
                layout: configuration.layout,
                fsync: configuration.fsync,
                lockTimeout: configuration.lockTimeout,
                context: ProcessContext.current(),
                failureCounter: metrics.globalStreamErrors
            ) : nil
        if configuration.async {
            queue = EventQueue(
                maxEvents: configuration.bufferSize,
                maxBytes: configuration.bufferBytes,
                batchSize: configuration.batchSize,
                policy: configuration.overflow,
                blockTimeout: configuration.blockTimeout
            )
        } else {
            queue = nil
        }
        flusher = Flusher(
            layout: layout,
            configuration: configuration,
            encoder: encoder,
            budget: budget,
            faults: faults
        )
    }

    /// Runs a ledger around `body`: starts ``run()``, calls `body`, then shuts down (draining the queue).
    public static func withLedger<T: Sendable>(
        configuration: LedgerConfiguration,
        timeSource: any TimeSource = SystemTimeSource(),
        agent: String = "orchestrator",
        _ body: @Sendable (Ledger) async throws -> T
    ) async throws -> (result: T, report: ShutdownReport) {
        let ledger = try Ledger(configuration: configuration, timeSource: timeSource, agent: agent)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await ledger.run() }
            do {
                let result = try await body(ledger)
                let report = await ledger.shutdown()
                try await group.waitForAll()
                return (result, report)
            } catch {
                _ = await ledger.shutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// Events refused by validation since the start (bad agent id, NaN, too large, …).
    public var rejectedCount: UInt64 { rejected.load(ordering: .relaxed) }

    /// Why the last refused event was refused.
    public var lastRejectionReason: LedgerError? { lastRejection.withLock { $0 } }

    /// The last error a write hit (the disk full, a folder removed), if any.
    public var lastWriteError: LedgerError? { lastWriteFailure.withLock { $0 } }

    /// A snapshot of the ledger's counters.
    ///
    /// Never waits for the disk: the writers' counters are those after their last batch.
    public func statistics() async -> LedgerStatistics {
        var s = LedgerStatistics()
        s.rejected = rejectedCount
        if let queue {
            let c = queue.counters
            s.accepted = c.accepted
            s.droppedQueueFull = c.droppedFull
            s.droppedOldest = c.droppedOldest
            s.droppedAfterShutdown = c.droppedClosed
            s.droppedNotWritten = c.droppedNotWritten
            s.droppedCancelled = c.droppedCancelled
            s.queueDepth = queue.pending.count
            let (inFlight, w) = control.withLock { ($0.inFlight, $0.flushTotals) }
            s.inFlight = inFlight
            s.written = w.written
            s.droppedWriteFailed = w.dropped
            s.droppedWriteRefused = w.refused
            s.writeErrors = w.writeErrors
            s.pendingRetry = w.pending
        } else {
            let sync = syncState.withLock { ($0.written, $0.failed) }
            s.accepted = sync.0 + sync.1
            s.written = sync.0
            s.droppedWriteFailed = sync.1
        }
        s.ledgerPathWriteErrors = compatibilityFile?.failures.load(ordering: .relaxed) ?? 0
        s.globalStreamWriteErrors = globalStream?.failures.load(ordering: .relaxed) ?? 0
        return s
    }
}

/// The flusher's counters, as last taken.
struct FlushTotals: Sendable {
    var written: UInt64 = 0
    var dropped: UInt64 = 0
    var refused: UInt64 = 0
    var writeErrors: UInt64 = 0
    var pending = 0
}

/// Counters of a ledger, for reports and tests.
public struct LedgerStatistics: Sendable, Hashable {
    public var accepted: UInt64 = 0
    public var written: UInt64 = 0
    public var rejected: UInt64 = 0
    public var droppedQueueFull: UInt64 = 0
    public var droppedOldest: UInt64 = 0
    public var droppedAfterShutdown: UInt64 = 0
    public var droppedWriteFailed: UInt64 = 0
    /// Of ``droppedWriteFailed``, those dropped at once because the write failed with an error that
    /// retrying cannot cure (a symlink refused, no permission, a file where a folder should be).
    public var droppedWriteRefused: UInt64 = 0
    /// Accepted, still in the queue when the shutdown deadline passed.
    public var droppedNotWritten: UInt64 = 0
    /// Offered through `emitWaiting` by a task that was cancelled while the queue was full.
    public var droppedCancelled: UInt64 = 0
    public var writeErrors: UInt64 = 0
    /// Writes of the one-file ledger (`AGI_LEDGER_PATH`) that failed: each a batch (async mode) or an
    /// event (sync mode) that is in the agents' files but missing from that copy.
    public var ledgerPathWriteErrors: UInt64 = 0
    /// Lines of seed 001's global stream (`state/events/`) that could not be built or written.
    public var globalStreamWriteErrors: UInt64 = 0
    public var queueDepth = 0
    public var pendingRetry = 0
    /// Events of the batch being written at this moment (taken from the queue, neither written nor
    /// dropped yet): `written + dropped + queueDepth + pendingRetry + inFlight` accounts for every
    /// event offered, at any time.
    public var inFlight = 0

    /// Every event that was offered but will not be in the ledger.
    public var dropped: UInt64 {
        droppedQueueFull + droppedOldest + droppedAfterShutdown + droppedWriteFailed + droppedNotWritten
            + droppedCancelled
    }
}

/// What ``Ledger/shutdown(timeout:)`` achieved.
public struct ShutdownReport: Sendable, Hashable {
    /// Whether everything accepted was written before the deadline.
    public var complete: Bool
    /// Events accepted but not written (the deadline passed, or the disk refused them).
    public var lost: UInt64
    public var statistics: LedgerStatistics
}
