import LedgerCore
import LedgerStore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns batches from the queue into one write per agent file, through each agent's ``AgentWriter``.
///
/// One batch at a time: ``process(_:)`` is not reentrant, so an agent's lines reach its file in the
/// order they were queued even though the agents' writers run side by side.
actor Flusher {
    /// It writes the one-file ledger and the global stream itself: on a dispatch thread, like the
    /// agents' writers, so that a hanging disk never holds a thread of the shared pool.
    private nonisolated let executor = FileWorkExecutor(label: "agent-ledger.flusher")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    /// The agents' writers take turns on `configuration.writerCount` queues: by default one per core
    /// but one, so that the callers keep a core to themselves. On 2 cores, one queue instead of two
    /// made `bench` 1–10 % faster (BENCHMARKS.md): the flusher, two writers and the producer had been
    /// sharing two cores.
    private let writerExecutors: [FileWorkExecutor]
    let layout: LedgerLayout
    let configuration: LedgerConfiguration
    let encoder: EventEncoder
    let budget: PendingBudget
    private var writers: [String: AgentWriter] = [:]
    /// Every writer, and what all batches wrote and dropped: read by the loop and by `statistics()`
    /// without a hop onto this actor (see ``AgentWriter/tally``).
    private nonisolated let tallies = Mutex(Tallies())
    private var busy = false
    private var busyWaiters: [CheckedContinuation<Void, Never>] = []

    private struct Tallies {
        var writers: [AgentWriter] = []
        var written: UInt64 = 0
        var dropped: UInt64 = 0
    }
    /// The buffers the last batch's chunks were written from, per agent, to fill again: a batch
    /// then costs no fresh memory (a fresh buffer of a few MiB is page faults on every batch).
    /// Only the last batch's are kept, so this never holds more than one batch's bytes.
    private var spareBuffers: [String: [[UInt8]]] = [:]

    let faults: (any WriteFaults)?

    init(
        layout: LedgerLayout,
        configuration: LedgerConfiguration,
        encoder: EventEncoder,
        budget: PendingBudget,
        faults: (any WriteFaults)?
    ) {
        self.faults = faults
        self.layout = layout
        self.configuration = configuration
        self.encoder = encoder
        self.budget = budget
        self.writerExecutors = (0..<configuration.writerCount).map {
            FileWorkExecutor(label: "agent-ledger.writer.\($0)")
        }
    }

    struct Outcome: Sendable {
        var events: [LedgerEvent] = []
        var written = 0
        var dropped: UInt64 = 0
        var batchCount = 0
        var lastError: LedgerError?
        var writeErrors = 0
    }

    func writer(for agent: String) -> AgentWriter {
        if let w = writers[agent] { return w }
        let w = AgentWriter(
            agent: agent,
            layout: layout,
            fsync: configuration.fsync,
            lockTimeout: configuration.lockTimeout,
            encoder: encoder,
            budget: budget,
            statusInterval: configuration.flushInterval,
            faults: faults,
            executor: writerExecutors[writers.count % writerExecutors.count]
        )
        writers[agent] = w
        tallies.withLock { $0.writers.append(w) }
        return w
    }

    /// Writes one taken batch (and the queue's drop counts as `ledger.dropped` events), then retries
    /// whatever waits for the disk.
    func process(
        _ taken: EventQueue.Taken?,
        compatibility: CompatibilityFile?,
        global: GlobalEventStream? = nil
    ) async -> Outcome {
        await acquire()
        defer { release() }
        var outcome = Outcome()
        var work:
            [String: (chunks: [(day: Int32, bytes: [UInt8], events: Int)], status: [LedgerEvent], ended: [String])] =
                [:]

        if let taken {
            let batch = taken.batch
            outcome.batchCount = batch.count
            var perSlot: [[(day: Int32, bytes: [UInt8], events: Int)]] = Array(repeating: [], count: taken.agents.count)
            var spares = spareBuffers
            spareBuffers = [:]
            var sessionMarks: [[Int]] = Array(repeating: [], count: taken.agents.count)
            var lastOfKind: [[Int]] = Array(
                repeating: Array(repeating: -1, count: StatusKind.count),
                count: taken.agents.count
            )
            batch.bytes.withUnsafeBytes { raw in
                for i in batch.head..<batch.entries.count {
                    let entry = batch.entries[i]
                    let slot = Int(entry.slot)
                    let line = UnsafeRawBufferPointer(rebasing: raw[entry.offset..<(entry.offset + Int(entry.length))])
                    if let last = perSlot[slot].last, last.day == entry.day {
                        perSlot[slot][perSlot[slot].count - 1].bytes.append(contentsOf: line)
                        perSlot[slot][perSlot[slot].count - 1].events += 1
                    } else {
                        var bytes: [UInt8]
                        if var spare = spares[taken.agents[slot]]?.popLast() {
                            spare.removeAll(keepingCapacity: true)
                            bytes = spare
                        } else {
                            bytes = []
                            bytes.reserveCapacity(Int(entry.length) * 64)
                        }
                        bytes.append(contentsOf: line)
                        perSlot[slot].append((entry.day, bytes, 1))
                    }
                    if entry.statusKind != StatusKind.none { lastOfKind[slot][Int(entry.statusKind)] = i }
                    if entry.statusKind == StatusKind.sessionEnd { sessionMarks[slot].append(i) }
                }
            }
            for (slot, chunks) in perSlot.enumerated() where !chunks.isEmpty {
                // Read back only the last event of each status kind; together they give the same status.
                let indices = lastOfKind[slot].filter { $0 >= 0 }.sorted()
                var status: [LedgerEvent] = []
                for i in indices {
                    let entry = batch.entries[i]
                    if i < batch.events.count, let e = batch.events[i] {
                        status.append(e)
                    } else if let e = try? EventLine.parse(
                        batch.bytes[entry.offset..<(entry.offset + Int(entry.length))]
                    ) {
                        status.append(e)
                    }
                }
                // Sessions that ended in this batch get their summary once their lines are written.
                var ended: [String] = []
                for i in sessionMarks[slot] {
                    let entry = batch.entries[i]
                    let e = i < batch.events.count ? batch.events[i] : nil
                    if let e = e
                        ?? (try? EventLine.parse(batch.bytes[entry.offset..<(entry.offset + Int(entry.length))])),
                        e.type == "session_end", let session = e.sessionID
                    {
                        ended.append(session)
                    }
                }
                work[taken.agents[slot]] = (chunks, status, ended)
            }
            for drop in taken.drops {
                let agent = drop.agent
                let e = droppedNotice(agent: agent, count: drop.count, reason: drop.reason.rawValue)
                var bytes: [UInt8] = []
                EventLine.write(e, into: &bytes)
                var w = work[agent] ?? ([], [], [])
                // A notice, not a caller's event: `events` 0 keeps the accounting exact.
                w.chunks.append((EventQueue.localDay(e), bytes, 0))
                work[agent] = w
                outcome.events.append(e)
            }
            let kept = min(batch.events.count, batch.entries.count)
            if batch.head < kept {
                for i in batch.head..<kept {
                    if let e = batch.events[i] { outcome.events.append(e) }
                }
            }
        }

        // Write every agent's part side by side; retry agents that wait for the disk.
        let jobs = work
        // Writers with nothing new retry only when an episode is open: most agents are idle in most batches.
        let retryOnly = writers.filter { jobs[$0.key] == nil && $0.value.tally.withLock { $0.degraded } }.map(\.value)
        let reports = await withTaskGroup(of: AgentWriter.Report.self) { group in
            for (agent, job) in jobs {
                let w = writer(for: agent)
                group.addTask { await w.write(job.chunks, statusEvents: job.status, endedSessions: job.ended) }
            }
            for w in retryOnly {
                group.addTask { await w.retryIfDue().report }
            }
            var all: [AgentWriter.Report] = []
            for await r in group { all.append(r) }
            return all
        }
        // The copies (the one-file ledger, the global stream) after the agents' files, which are the
        // record: a crash between the two leaves a copy short, never ahead of the ledger.
        if let batch = taken?.batch, compatibility != nil || global != nil {
            batch.bytes.withUnsafeBytes { raw in
                let lines: UnsafeRawBufferPointer
                if batch.head == 0 {
                    lines = raw
                } else if batch.head < batch.entries.count {
                    lines = UnsafeRawBufferPointer(rebasing: raw[batch.entries[batch.head].offset...])
                } else {
                    return
                }
                compatibility?.append(lines)
                global?.append(lines: lines)
            }
        }
        for r in reports {
            if !r.spent.isEmpty { spareBuffers[r.agent, default: []].append(contentsOf: r.spent) }
            outcome.written += r.written
            outcome.dropped += r.dropped
            outcome.events.append(contentsOf: r.notices)
            if let e = r.error { outcome.lastError = e }
            outcome.writeErrors += r.writeErrors
        }
        tallies.withLock {
            $0.written += UInt64(outcome.written)
            $0.dropped += outcome.dropped
        }
        return outcome
    }

    /// Events waiting for the disk, and the soonest retry, in seconds: `nil` when no agent is degraded.
    /// An agent can be degraded with no events waiting (they were refused, or over the budget) until
    /// its notices are written.
    nonisolated func pendingState() -> (events: Int, nextRetry: Double?) {
        let now = ContinuousClock.now
        var events = 0
        var next: Double?
        for w in tallies.withLock({ $0.writers }) {
            let t = w.tally.withLock { $0 }
            events += t.pendingEvents
            if let s = t.secondsUntilRetry(now: now) { next = min(next ?? s, s) }
        }
        return (events, next)
    }

    /// Gives up on everything waiting for the disk; returns how many events that was.
    func abandonPending() async -> UInt64 {
        var n: UInt64 = 0
        for w in writers.values { n += await w.abandonPending() }
        tallies.withLock { $0.dropped += n }
        return n
    }

    /// Writes every agent's status snapshot now.
    func writeStatus() async {
        for w in writers.values { await w.writeStatusNow() }
    }

    /// Closes every agent's file.
    func closeAll() async {
        for w in writers.values { await w.close() }
    }

    nonisolated func totals() -> (
        written: UInt64, dropped: UInt64, refused: UInt64, writeErrors: UInt64, pending: Int
    ) {
        let (all, written, dropped) = tallies.withLock { ($0.writers, $0.written, $0.dropped) }
        var errors: UInt64 = 0
        var pending = 0
        var refused: UInt64 = 0
        for w in all {
            let t = w.tally.withLock { $0 }
            errors += t.writeErrors
            pending += t.pendingEvents
            refused += t.droppedRefused
        }
        return (written, dropped, refused, errors, pending)
    }

    func droppedNotice(agent: String, count: UInt64, reason: String) -> LedgerEvent {
        var data = JSONObject()
        data.appendUnchecked("dropped", .int(Int64(count)))
        data.appendUnchecked("reason", .string(reason))
        data.appendUnchecked("policy", .string(configuration.overflow.rawValue))
        var e = LedgerEvent(
            timestamp: encoder.timeSource.now(),
            agent: agent,
            type: "ledger.dropped",
            source: "agent-ledger",
            summary: "\(count) events dropped (\(reason))",
            data: .object(data)
        )
        encoder.complete(&e)
        return e
    }

    private func acquire() async {
        while busy {
            await withCheckedContinuation { busyWaiters.append($0) }
        }
        busy = true
    }

    private func release() {
        busy = false
        if !busyWaiters.isEmpty { busyWaiters.removeFirst().resume() }
    }
}
