import LedgerCore
import LedgerStore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one agent's ledger file: writes its batches, keeps its status snapshot, and supervises its failures.
///
/// A failed write never reaches the emitting caller and never stops other agents: the lines that
/// did not make it are kept (within the shared ``PendingBudget``) and written again with backoff
/// once the disk recovers. The agent's ledger records `ledger.degraded` when trouble starts and
/// `ledger.recovered` when it ends; what could not be kept is counted and recorded as `ledger.dropped`.
/// An episode stays open, and is retried with backoff, until those notices are in the file: they do
/// not wait for the agent's next event, and they never depend on room in the shared budget.
actor AgentWriter {
    let agent: String
    /// Its writes block on the disk: they run on a dispatch thread, never on the shared pool.
    private nonisolated let executor: FileWorkExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    /// Its appends wait ``DayFileWriter/heldLockWait`` for a lock that ran out a wait before: retries
    /// are paced by the backoff, and a lock held for good must not hold the batch (and every other
    /// agent) at each of them.
    private let writer: DayFileWriter
    private let statusStore: StatusStore
    /// How long a status update waits for the status file's lock: a missed update is written with
    /// the next one, and a lock held for good must not hold the batch at every interval.
    static let statusLockWait = 0.05
    private let sessions: SessionStore
    private var sessionsAwaitingSummary: [String] = []
    private(set) var summaryErrors: UInt64 = 0
    private let encoder: EventEncoder
    private let budget: PendingBudget

    /// Lines waiting for the disk, oldest first, by local day.
    private var pending: [(day: Int32, bytes: [UInt8], events: Int)] = []
    private var pendingEvents = 0
    /// The bytes of `pending`, all taken from the shared budget.
    private var pendingBytes = 0
    private var degradedSince: Timestamp?
    /// The episode's `ledger.degraded` line, written before the lines kept behind it. Outside the
    /// budget: one line per episode, so that a full budget never makes an episode silent.
    private var openingNotice: (day: Int32, bytes: [UInt8])?
    /// The episode's `ledger.recovered` is in the file and its `ledger.dropped` is not yet.
    private var recoveredWritten = false
    private var lastError: LedgerError?
    private var retryAttempt = 0
    private var nextRetry: ContinuousClock.Instant?
    /// Events lost while degraded, to be recorded as `ledger.dropped` once there is room.
    private var droppedWhileDegraded: UInt64 = 0
    /// Why they were lost: `disk_unavailable`, or `write_refused` for an error retrying cannot cure.
    private var dropReason = "disk_unavailable"
    /// Events dropped at once because the write failed with an error retrying cannot cure.
    private var droppedRefused: UInt64 = 0

    /// Totals, for metrics and reports.
    private(set) var writtenEvents: UInt64 = 0
    private(set) var writtenBytes: UInt64 = 0
    private var writeErrors: UInt64 = 0
    private(set) var droppedEvents: UInt64 = 0
    private(set) var statusErrors: UInt64 = 0
    private var pendingStatus: [LedgerEvent] = []
    private var lastStatusWrite: ContinuousClock.Instant?
    private let statusInterval: Duration
    /// Failed status writes in a row: each doubles the wait before the next try, up to 5 s.
    private var statusFailures = 0

    /// What the flusher and the ledger read of this writer without a hop onto its queue.
    struct Tally: Sendable {
        var pendingEvents = 0
        var writeErrors: UInt64 = 0
        var droppedRefused: UInt64 = 0
        /// An episode is open: its lines or notices wait for the disk.
        var degraded = false
        var nextRetry: ContinuousClock.Instant?

        /// How long until the next retry is due, in seconds; `nil` when no episode is open.
        func secondsUntilRetry(now: ContinuousClock.Instant) -> Double? {
            guard degraded else { return nil }
            guard let nextRetry else { return 0 }
            return max(0, (nextRetry - now).inSeconds)
        }
    }

    /// Published at the end of every call that may change it. The loop reads it several times a
    /// batch; a hop onto each writer for it was two thread wakes per writer per read, on the cores
    /// the callers emit from.
    nonisolated let tally = Mutex(Tally())

    init(
        agent: String,
        layout: LedgerLayout,
        fsync: FsyncPolicy,
        lockTimeout: Double = DayFileWriter.defaultLockTimeout,
        encoder: EventEncoder,
        budget: PendingBudget,
        statusInterval: Double,
        faults: (any WriteFaults)?,
        executor: FileWorkExecutor
    ) {
        self.agent = agent
        self.executor = executor
        self.writer = DayFileWriter(
            layout: layout,
            agent: agent,
            fsyncPolicy: fsync,
            lockTimeout: lockTimeout,
            faults: faults
        )
        self.statusStore = StatusStore(layout: layout, lockWait: min(lockTimeout, Self.statusLockWait))
        self.statusInterval = .nanoseconds(Int64(statusInterval * 1e9))
        self.sessions = SessionStore(layout: layout)
        self.encoder = encoder
        self.budget = budget
    }

    /// What one call wrote or kept.
    struct Report: Sendable {
        var agent: String
        var written = 0
        var dropped: UInt64 = 0
        /// Events the ledger wrote about itself (`ledger.degraded`, `ledger.recovered`), for the bus.
        var notices: [LedgerEvent] = []
        /// The error the last failed write hit.
        var error: LedgerError?
        /// How many writes failed.
        var writeErrors = 0
        /// The buffers of chunks written in full, for the flusher to fill again.
        var spent: [[UInt8]] = []
    }

    /// Writes chunks of complete lines (one chunk per local day, in order) and applies status events.
    func write(
        _ chunks: [(day: Int32, bytes: [UInt8], events: Int)],
        statusEvents: [LedgerEvent],
        endedSessions: [String] = []
    ) -> Report {
        defer { publish() }
        var report = Report(agent: agent)
        if hasBacklog && isRetryDue {
            // Keep order: new lines queue behind the ones waiting for the disk.
            _ = retryNow(&report)
        }
        for chunk in chunks {
            if hasBacklog {
                keep(chunk, &report)
                continue
            }
            if writeChunk(chunk, &report), chunk.events > 0 { report.spent.append(chunk.bytes) }
        }
        applyStatus(statusEvents)
        if pending.isEmpty {
            for session in endedSessions { summarize(session) }
        } else {
            sessionsAwaitingSummary.append(contentsOf: endedSessions)
        }
        return report
    }

    /// Writes a session's summary; a failure is counted, never thrown.
    private func summarize(_ session: String) {
        do throws(LedgerError) {
            try sessions.summarize(session: session, agent: agent)
        } catch {
            summaryErrors += 1
        }
    }

    /// Lines (or the episode's opening notice) wait for the disk.
    private var hasBacklog: Bool { openingNotice != nil || !pending.isEmpty }

    /// Retries the waiting lines and the episode's notices if their backoff has passed. Returns
    /// whether the episode is still open.
    func retryIfDue() -> (stillPending: Bool, report: Report) {
        defer { publish() }
        var report = Report(agent: agent)
        guard degradedSince != nil else { return (false, report) }
        guard isRetryDue else { return (true, report) }
        let open = retryNow(&report)
        return (open, report)
    }

    /// Whether the backoff since the last failed try has passed.
    private var isRetryDue: Bool {
        guard let nextRetry else { return true }
        return ContinuousClock.now >= nextRetry
    }

    /// Gives up on the waiting lines (shutdown deadline passed): counts them as dropped.
    func abandonPending() -> UInt64 {
        defer { publish() }
        let n = UInt64(pendingEvents)
        for p in pending { release(p.bytes.count) }
        pending.removeAll()
        pendingEvents = 0
        droppedEvents += n
        return n
    }

    /// Closes the open day file, after a last try at an open episode's notices.
    func close() {
        defer { publish() }
        if degradedSince != nil {
            var report = Report(agent: agent)
            _ = retryNow(&report)
        }
        writeStatusNow()
        try? writer.sync()
        writer.close()
    }

    // MARK: - Internals

    private func publish() {
        let t = Tally(
            pendingEvents: pendingEvents,
            writeErrors: writeErrors,
            droppedRefused: droppedRefused,
            degraded: degradedSince != nil,
            nextRetry: nextRetry
        )
        tally.withLock { $0 = t }
    }

    /// Returns whether the whole chunk was written.
    @discardableResult
    private func writeChunk(_ chunk: (day: Int32, bytes: [UInt8], events: Int), _ report: inout Report) -> Bool {
        let date = CivilDate(daysSinceEpoch: Int64(chunk.day))
        do throws(AppendFailure) {
            try writer.append(chunk.bytes, date: date)
            writtenEvents += UInt64(chunk.events)
            writtenBytes += UInt64(chunk.bytes.count)
            report.written += chunk.events
            // An episode with nothing waiting (its lines refused or over the budget) ends here too.
            if degradedSince != nil && !hasBacklog { leaveDegraded(&report) }
            return true
        } catch {
            writeErrors += 1
            report.writeErrors += 1
            let done = error.completedBytes
            let doneEvents = Self.eventsIn(chunk.bytes, upTo: done, atMost: chunk.events)
            writtenEvents += UInt64(doneEvents)
            writtenBytes += UInt64(done)
            report.written += doneEvents
            enterDegraded(error.error, &report)
            if Self.isPermanent(error.error) {
                refuse(chunk.events - doneEvents, &report)
            } else {
                keep((chunk.day, Array(chunk.bytes[done...]), chunk.events - doneEvents), &report)
            }
            return false
        }
    }

    /// Keeps lines for a later retry, within the agent's share of the budget; what does not fit is
    /// dropped and counted for the episode's `ledger.dropped`.
    private func keep(_ chunk: (day: Int32, bytes: [UInt8], events: Int), _ report: inout Report) {
        guard !chunk.bytes.isEmpty else { return }
        if reserve(chunk.bytes.count) {
            if let last = pending.last, last.day == chunk.day, last.events > 0, chunk.events > 0,
                last.bytes.count < 1 << 20
            {
                pending[pending.count - 1].bytes.append(contentsOf: chunk.bytes)
                pending[pending.count - 1].events += chunk.events
            } else {
                pending.append(chunk)
            }
            pendingEvents += chunk.events
        } else {
            droppedEvents += UInt64(chunk.events)
            droppedWhileDegraded += UInt64(chunk.events)
            report.dropped += UInt64(chunk.events)
        }
    }

    /// Writes what waits, in order (the episode's opening notice, the kept lines, then the notices
    /// that end it), until done or the disk fails again. Returns whether the episode is still open.
    private func retryNow(_ report: inout Report) -> Bool {
        if let opening = openingNotice {
            do throws(AppendFailure) {
                try writer.append(opening.bytes, date: CivilDate(daysSinceEpoch: Int64(opening.day)))
                openingNotice = nil
            } catch {
                // A notice is one line: a write that stopped part way left none of it.
                if Self.isPermanent(error.error) { openingNotice = nil }
                retryFailed(error.error, &report)
                return true
            }
        }
        while let first = pending.first {
            let date = CivilDate(daysSinceEpoch: Int64(first.day))
            do throws(AppendFailure) {
                try writer.append(first.bytes, date: date)
                pending.removeFirst()
                pendingEvents -= first.events
                release(first.bytes.count)
                writtenEvents += UInt64(first.events)
                writtenBytes += UInt64(first.bytes.count)
                report.written += first.events
            } catch {
                let done = error.completedBytes
                if done > 0 {
                    let doneEvents = Self.eventsIn(first.bytes, upTo: done, atMost: first.events)
                    pending[0].bytes.removeFirst(done)
                    pending[0].events -= doneEvents
                    pendingEvents -= doneEvents
                    release(done)
                    writtenEvents += UInt64(doneEvents)
                    report.written += doneEvents
                }
                retryFailed(error.error, &report)
                return true
            }
        }
        if degradedSince != nil && !leaveDegraded(&report) { return true }
        let waiting = sessionsAwaitingSummary
        sessionsAwaitingSummary.removeAll()
        for session in waiting { summarize(session) }
        return false
    }

    /// Counts a failed retry and schedules the next. An error retrying cannot cure (a symlink, a
    /// permission, a file in the way) gives the kept lines up, counted, instead of holding the shared
    /// budget and retrying them forever; the episode stays open, its notices tried until the file
    /// takes them.
    private func retryFailed(_ error: LedgerError, _ report: inout Report) {
        writeErrors += 1
        report.writeErrors += 1
        lastError = error
        report.error = error
        if Self.isPermanent(error) { refusePending(&report) }
        scheduleRetry()
    }

    /// Gives up the kept lines for good, counted as refused.
    private func refusePending(_ report: inout Report) {
        refuse(pendingEvents, &report)
        for p in pending { release(p.bytes.count) }
        pending.removeAll()
        pendingEvents = 0
    }

    /// Takes `n` bytes of the shared budget for waiting lines, within this agent's fair share.
    private func reserve(_ n: Int) -> Bool {
        guard budget.take(n, holding: pendingBytes) else { return false }
        if pendingBytes == 0 { budget.startHolding() }
        pendingBytes += n
        return true
    }

    /// Gives back `n` bytes of the budget (written, or given up).
    private func release(_ n: Int) {
        guard n > 0 else { return }
        budget.give(n)
        pendingBytes -= n
        if pendingBytes == 0 { budget.stopHolding() }
    }

    /// Whether retrying cannot cure a write error: a symlink refused, no permission, a file where a
    /// folder should be. Such writes are dropped at once (counted, reason `write_refused`); a full or
    /// read-only disk, an I/O error, are kept and retried.
    static func isPermanent(_ error: LedgerError) -> Bool {
        if error.code == .symlinkRefused { return true }
        guard let code = error.errno else { return false }
        return code == ELOOP || code == EACCES || code == EPERM || code == ENOTDIR || code == EISDIR
    }

    /// Counts events dropped because their write was refused for good.
    private func refuse(_ events: Int, _ report: inout Report) {
        guard events > 0 else { return }
        dropReason = "write_refused"
        droppedEvents += UInt64(events)
        droppedRefused += UInt64(events)
        droppedWhileDegraded += UInt64(events)
        report.dropped += UInt64(events)
    }

    /// How many of a chunk's events are among its first `count` bytes (a write that stopped part way
    /// keeps whole lines only). A notice chunk carries `atMost` 0, so it never counts as the caller's.
    private static func eventsIn(_ bytes: [UInt8], upTo count: Int, atMost events: Int) -> Int {
        min(events, bytes[0..<count].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) })
    }

    private func scheduleRetry() {
        retryAttempt += 1
        // 10 ms, 20 ms, 40 ms … capped at 1 s.
        let delay = min(1.0, 0.01 * Double(1 << min(retryAttempt - 1, 7)))
        nextRetry = ContinuousClock.now.advanced(by: .nanoseconds(Int64(delay * 1e9)))
    }

    private func enterDegraded(_ error: LedgerError, _ report: inout Report) {
        lastError = error
        report.error = error
        let permanent = Self.isPermanent(error)
        // Refused writes are tried again too, with the same backoff: the notices that end the episode
        // wait for a file that takes lines.
        scheduleRetry()
        guard degradedSince == nil else { return }
        let now = encoder.timeSource.now()
        degradedSince = now
        var data = JSONObject()
        data.appendUnchecked("error", .string(error.description))
        data.appendUnchecked("code", .string(error.code.rawValue))
        if let e = error.errno { data.appendUnchecked("errno", .int(Int64(e))) }
        data.appendUnchecked("retrying", .bool(!permanent))
        let summary =
            permanent
            ? "ledger writes refused, events dropped until it is fixed: \(error.description)"
            : "ledger writes failing, kept and retried: \(error.description)"
        let notice = notice("ledger.degraded", summary, data, at: now)
        report.notices.append(notice.event)
        // A refused write would refuse the notice too: it goes to the bus, and the `ledger.recovered`
        // written once the agent's file takes lines again carries the error and the count.
        if !permanent { openingNotice = (notice.chunk.day, notice.chunk.bytes) }
    }

    /// Ends the episode: `ledger.recovered`, and `ledger.dropped` with the count when events were lost,
    /// in one append. Until they are in the file the episode stays open, its count kept, and they are
    /// tried again with the backoff. Returns whether the episode ended.
    @discardableResult
    private func leaveDegraded(_ report: inout Report) -> Bool {
        guard let since = degradedSince else { return true }
        let now = encoder.timeSource.now()
        var notices: [(event: LedgerEvent, chunk: (day: Int32, bytes: [UInt8], events: Int))] = []
        if !recoveredWritten {
            var data = JSONObject()
            data.appendUnchecked("degraded_seconds", .double(Double(now.milliseconds - since.milliseconds) / 1000))
            data.appendUnchecked("dropped", .int(Int64(droppedWhileDegraded)))
            if let lastError { data.appendUnchecked("last_error", .string(lastError.description)) }
            notices.append(notice("ledger.recovered", "ledger writes recovered", data, at: now))
        }
        if droppedWhileDegraded > 0 {
            var d = JSONObject()
            d.appendUnchecked("dropped", .int(Int64(droppedWhileDegraded)))
            d.appendUnchecked("reason", .string(dropReason))
            notices.append(
                notice("ledger.dropped", "\(droppedWhileDegraded) events dropped while writes failed", d, at: now)
            )
        }
        if let first = notices.first {
            var bytes = first.chunk.bytes
            for n in notices.dropFirst() { bytes.append(contentsOf: n.chunk.bytes) }
            do throws(AppendFailure) {
                try writer.append(bytes, date: CivilDate(daysSinceEpoch: Int64(first.chunk.day)))
            } catch {
                // Whole lines only make it: the first notice may be in, the second not.
                if !recoveredWritten && first.event.type == "ledger.recovered"
                    && error.completedBytes >= first.chunk.bytes.count
                {
                    recoveredWritten = true
                    report.notices.append(first.event)
                }
                retryFailed(error.error, &report)
                return false
            }
            report.notices.append(contentsOf: notices.map(\.event))
        }
        degradedSince = nil
        recoveredWritten = false
        droppedWhileDegraded = 0
        dropReason = "disk_unavailable"
        retryAttempt = 0
        nextRetry = nil
        lastError = nil
        return true
    }

    private func notice(
        _ type: String,
        _ summary: String,
        _ data: JSONObject,
        at time: Timestamp
    ) -> (event: LedgerEvent, chunk: (day: Int32, bytes: [UInt8], events: Int)) {
        var e = LedgerEvent(
            timestamp: time,
            agent: agent,
            type: type,
            source: "agent-ledger",
            summary: summary,
            data: .object(data)
        )
        var bytes: [UInt8] = []
        encoder.complete(&e)
        EventLine.write(e, into: &bytes)
        return (e, (EventQueue.localDay(e), bytes, 0))
    }

    /// Collects status events and writes the snapshot at most once per flush interval (the write is
    /// an fsynced atomic replace, far dearer than a batch), and always on ``writeStatusNow()``.
    private func applyStatus(_ events: [LedgerEvent]) {
        guard !events.isEmpty else { return }
        for e in events {
            // Only the last event of each kind matters to the snapshot.
            let kind = StatusKind.of(e.type)
            pendingStatus.removeAll { StatusKind.of($0.type) == kind }
            pendingStatus.append(e)
        }
        if let last = lastStatusWrite, ContinuousClock.now - last < statusWait { return }
        writeStatusNow()
    }

    /// The wait between status writes: the interval, doubled for each failure in a row up to 5 s (or
    /// the interval, when that is longer).
    private var statusWait: Duration {
        guard statusFailures > 0 else { return statusInterval }
        return max(statusInterval, min(.seconds(5), statusInterval * (1 << min(statusFailures, 10))))
    }

    /// Writes the status events collected so far.
    func writeStatusNow() {
        guard !pendingStatus.isEmpty else { return }
        let events = pendingStatus.sorted { a, b in
            a.timestamp != b.timestamp
                ? a.timestamp < b.timestamp : (a.id ?? EventID(high: 0, low: 0)) < (b.id ?? EventID(high: 0, low: 0))
        }
        pendingStatus.removeAll()
        lastStatusWrite = ContinuousClock.now
        do throws(LedgerError) {
            try statusStore.apply(agent: agent, events: events)
            statusFailures = 0
        } catch {
            // Kept for the next try (a status lock held by another process, a full disk), behind any
            // newer event of the same kind.
            statusErrors += 1
            statusFailures += 1
            let newer = Set(pendingStatus.map { StatusKind.of($0.type) })
            pendingStatus.insert(contentsOf: events.filter { !newer.contains(StatusKind.of($0.type)) }, at: 0)
        }
    }
}
