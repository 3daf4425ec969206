import CoreMetrics
import Dispatch
import LedgerCore
import LedgerStore
import ServiceLifecycle
import Synchronization

extension Ledger: Service {
    /// Drains the queue in batches until shutdown: a batch is written when `batchSize` events wait
    /// (or half the queue's events or bytes, if sooner) or the oldest has waited `flushInterval`,
    /// whichever comes first.
    ///
    /// Run it in a `ServiceGroup` (SIGTERM then drains everything accepted before the process exits)
    /// or in a task of your own. It returns after ``shutdown(timeout:)``, a graceful shutdown, or
    /// cancellation, once everything accepted is written or the shutdown deadline has passed.
    ///
    /// Beside the loop, old day files are archived at the start and after each day change
    /// (`archive.auto`), off the write path.
    public func run() async throws {
        try await withArchiving { try await runLoops() }
    }

    private func runLoops() async throws {
        guard let queue else {
            // Sync mode writes in `emit`; stay up until told to stop, then close cleanly.
            await withGracefulShutdownHandler {
                await waitForShutdownRequest()
            } onGracefulShutdown: {
                self.requestShutdown()
            }
            _ = await shutdown()
            return
        }
        let alreadyRunning = control.withLock { c -> Bool in
            if c.runnerActive || c.finished { return true }
            c.runnerActive = true
            return false
        }
        guard !alreadyRunning else { return }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await flushLoop(queue)
            } onCancel: {
                self.requestShutdown()
            }
        } onGracefulShutdown: {
            self.requestShutdown()
        }
    }

    /// Returns once every event accepted before the call is written (and fsynced under the
    /// `batch`/`always` policies), or when `timeout` seconds (default: the shutdown timeout) pass.
    ///
    /// - Returns: whether it finished before the deadline: every event accepted before the call is
    ///   written, or was dropped and counted (a write refused for good, a retry budget overflowed; see
    ///   ``statistics()`` and the `ledger.dropped` notices). `false` when the time ran out; events still
    ///   waiting stay queued. In sync mode, `false` once any write has failed.
    @discardableResult
    public func flush(timeout: Double? = nil) async -> Bool {
        let seconds = timeout ?? configuration.shutdownTimeout
        guard let queue else {
            flushSyncStatus()
            return syncState.withLock { $0.failed == 0 }
        }
        let target = queue.sequence
        let runner = control.withLock { c -> Bool in
            c.flushRequested = true
            return c.runnerActive && !c.finished
        }
        let done: Bool
        if runner {
            queue.wake.signal()
            done = await waitForWritten(target, seconds: seconds)
        } else {
            done = await drainBeforeDeadline(
                queue,
                deadline: ContinuousClock.now.advanced(by: .nanoseconds(Int64(min(max(seconds, 0), 86400) * 1e9)))
            )
        }
        // After a flush the status snapshots are current too. Not after a flush that ran out of time:
        // a writer may be stuck in a write, and the status would wait for it.
        if done { await flusher.writeStatus() }
        return done
    }

    /// Stops intake, writes everything accepted, closes the files. Safe to call more than once.
    ///
    /// Returns when all is written or `timeout` seconds (default `shutdown_timeout`) have passed;
    /// what could not be written by then is counted as dropped and reported, so a program never
    /// hangs at exit because of its telemetry.
    @discardableResult
    public func shutdown(timeout: Double? = nil) async -> ShutdownReport {
        let seconds = timeout ?? configuration.shutdownTimeout
        let deadline = ContinuousClock.now.advanced(by: .nanoseconds(Int64(min(max(seconds, 0), 86400) * 1e9)))
        if let done = control.withLock({ $0.report }) { return done }
        requestShutdown()
        guard let queue else {
            flushSyncStatus()
            syncState.withLock { s in
                for w in s.writers.values { w.close() }
            }
            let failed = syncState.withLock { $0.failed }
            return await finish(lost: failed, complete: failed == 0)
        }
        let runner = control.withLock { $0.runnerActive && !$0.finished }
        if runner {
            let finished = await waitForFinish(seconds: seconds)
            if !finished {
                // The deadline passed: tell the loop to give up on what is left, and leave.
                control.withLock { $0.abandon = true }
                queue.wake.signal()
                _ = await waitForFinish(seconds: 0.5)
            }
        } else {
            // No `run()` loop: this call starts the drain, in a task of its own on the drain executor,
            // and waits for it until the deadline. A write stuck on a hanging disk holds that task,
            // never this caller. The drain counts as the loop from now on: a second `shutdown` or a
            // `flush` waits for it as they would for `run()`'s loop.
            let starts = control.withLock { c -> Bool in
                if c.runnerActive || c.finished { return false }
                c.runnerActive = true
                return true
            }
            if starts {
                startDrain {
                    _ = await self.drainInline(queue, deadline: deadline)
                    let left = queue.take()
                    var lost: UInt64 = 0
                    if let left {
                        lost += UInt64(left.batch.count)
                        self.countLost(left.batch, agents: left.agents)
                    }
                    lost += await self.flusher.abandonPending()
                    self.refreshFlushTotals()
                    await self.flusher.closeAll()
                    _ = await self.finish(lost: lost, complete: lost == 0)
                }
            }
            if !(await waitForFinish(seconds: Self.seconds(until: deadline))) {
                // Past the deadline the drain takes no more batches and counts what is left as lost.
                _ = await waitForFinish(seconds: 0.5)
            }
        }
        if let done = control.withLock({ $0.report }) { return done }
        let stats = await statistics()
        // The loop is still writing a batch: its events are neither written nor dropped yet, and are
        // reported as not written by the deadline.
        return ShutdownReport(
            complete: false,
            lost: UInt64(stats.queueDepth + stats.pendingRetry + stats.inFlight),
            statistics: stats
        )
    }

    // MARK: - The loop

    func flushLoop(_ queue: EventQueue) async {
        var lost: UInt64 = 0
        // Set when a shutdown is first seen (shutdown(), SIGTERM through the service, cancellation):
        // past it, what cannot be written is given up and counted, so the process can always exit.
        var shutdownDeadline: ContinuousClock.Instant?
        while true {
            if shutdownDeadline == nil, control.withLock({ $0.shutdownStarted }) {
                shutdownDeadline = ContinuousClock.now.advanced(
                    by: .nanoseconds(Int64(min(max(configuration.shutdownTimeout, 0), 86400) * 1e9))
                )
            }
            if let shutdownDeadline, ContinuousClock.now >= shutdownDeadline {
                control.withLock { $0.abandon = true }
            }
            let abandon = control.withLock { $0.abandon }
            if abandon {
                if let left = queue.take() {
                    lost += UInt64(left.batch.count)
                    countLost(left.batch, agents: left.agents)
                }
                lost += await flusher.abandonPending()
                refreshFlushTotals()
                break
            }
            let (count, bytes, oldest, hasDrops) = queue.pending
            let (shuttingDown, flushRequested) = control.withLock { ($0.shutdownStarted, $0.flushRequested) }
            let waited = count > 0 ? Double(MonotonicClock.nanoseconds() &- oldest) / 1e9 : 0
            var pending = flusher.pendingState()
            // A batch is due when it is full, when its oldest event has waited the flush interval,
            // when someone flushes or shuts down, or when drops wait to be recorded and there is room.
            let due =
                queue.isBatchDue(count: count, bytes: bytes) || (count > 0 && waited >= configuration.flushInterval)
                || flushRequested || shuttingDown || (hasDrops && count == 0)
                || (pending.nextRetry ?? 1) <= 0
            if due {
                control.withLock { $0.flushRequested = false }
                await processOnce(queue)
                pending = flusher.pendingState()
            }
            if shuttingDown && queue.pending.count == 0 && pending.events == 0 && queue.isClosed {
                // A final look for drop counts taken after the last batch.
                if let last = queue.take() {
                    await processTaken(consume last)
                    continue
                }
                break
            }
            let now = queue.pending
            if queue.isBatchDue(count: now.count, bytes: now.bytes) || control.withLock({ $0.flushRequested }) {
                continue
            }
            var timeout: Double?
            if now.count > 0 {
                let age = Double(MonotonicClock.nanoseconds() &- now.oldest) / 1e9
                timeout = max(0, configuration.flushInterval - age)
            }
            if let retry = pending.nextRetry { timeout = min(timeout ?? retry, retry) }
            if shuttingDown { timeout = min(timeout ?? 0.01, 0.01) }
            if let timeout {
                if timeout > 0 { await queue.wake.wait(seconds: timeout) }
            } else {
                await queue.wake.wait()
            }
        }
        await flusher.closeAll()
        _ = await finish(lost: lost, complete: lost == 0)
    }

    func processOnce(_ queue: EventQueue) async {
        let taken = queue.take()
        let retries = flusher.pendingState().nextRetry != nil
        guard taken != nil || retries else {
            resolveWaiters(pendingEvents: 0)
            return
        }
        await processTaken(consume taken)
    }

    /// Writes a taken batch, then hands its buffers back to the queue.
    ///
    /// Takes the batch over: when it is recycled nothing else may hold its buffers, or resetting
    /// them would copy into new, untouched memory that the next producers fault in page by page.
    func processTaken(_ taken: consuming EventQueue.Taken?) async {
        let start = ContinuousClock.now
        let count = taken?.batch.count ?? 0
        control.withLock { $0.inFlight = count }
        let outcome = await flusher.process(taken, compatibility: compatibilityFile, global: globalStream)
        // In one step: a batch is never counted both as written and as in flight.
        refreshFlushTotals(batchDone: true)
        let elapsed = ContinuousClock.now - start
        if !outcome.events.isEmpty { bus.publish(outcome.events) }
        if let error = outcome.lastError { lastWriteFailure.withLock { $0 = error } }
        if outcome.writeErrors > 0 { metrics.writeErrors.increment(by: Int64(outcome.writeErrors)) }
        if outcome.written > 0 { metrics.written.increment(by: Int64(outcome.written)) }
        if outcome.dropped > 0 { metrics.droppedWrite.increment(by: Int64(outcome.dropped)) }
        if let done = taken.take() {
            var batch = done.batch
            _ = consume done
            let c = queue?.counters
            metrics.batchSize.record(batch.count)
            metrics.flushDuration.recordNanoseconds(
                elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
            )
            if let c { reportCounters(c) }
            let end = batch.endSequence
            queue?.recycle(&batch)
            control.withLock { $0.writtenSequence = max($0.writtenSequence, end) }
        }
        let pending = flusher.pendingState()
        resolveWaiters(pendingEvents: pending.events)
    }

    func reportCounters(_ c: EventQueue.Counters) {
        let previous = control.withLock { ctl -> EventQueue.Counters in
            let p = ctl.reportedCounters
            ctl.reportedCounters = c
            return p
        }
        metrics.accepted.increment(by: Int64(c.accepted - previous.accepted))
        if c.droppedFull > previous.droppedFull {
            metrics.droppedQueueFull.increment(by: Int64(c.droppedFull - previous.droppedFull))
        }
        if c.droppedOldest > previous.droppedOldest {
            metrics.droppedOldest.increment(by: Int64(c.droppedOldest - previous.droppedOldest))
        }
        if c.droppedClosed > previous.droppedClosed {
            metrics.droppedClosed.increment(by: Int64(c.droppedClosed - previous.droppedClosed))
        }
        if c.droppedNotWritten > previous.droppedNotWritten {
            metrics.droppedNotWritten.increment(by: Int64(c.droppedNotWritten - previous.droppedNotWritten))
        }
        if c.droppedCancelled > previous.droppedCancelled {
            metrics.droppedCancelled.increment(by: Int64(c.droppedCancelled - previous.droppedCancelled))
        }
        metrics.queueDepth.record(queue?.pending.count ?? 0)
    }

    /// Without a running loop (``run()`` not started), `flush` drains in a task of its own on the drain
    /// executor (after any drain before it) and waits for it until `deadline`: a write stuck on a
    /// hanging disk holds that task, never the caller. The drain stops taking batches at the deadline.
    ///
    /// - Returns: whether everything was written before the deadline.
    func drainBeforeDeadline(_ queue: EventQueue, deadline: ContinuousClock.Instant) async -> Bool {
        let outcome = OneShot<Bool>()
        startDrain {
            outcome.resolve(await self.drainInline(queue, deadline: deadline))
        }
        // A dispatch timer, not a task: it fires on time however busy the concurrency pool is.
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.seconds(until: deadline)) {
            outcome.resolve(false)
        }
        return await outcome.value
    }

    /// Starts a drain on the drain executor, after the drain started before it has ended: one drain
    /// at a time, so two never take batches side by side and write them out of order.
    func startDrain(_ body: @escaping @Sendable () async -> Void) {
        control.withLock { c in
            let previous = c.lastDrain
            c.lastDrain = Task(executorPreference: Self.drainExecutor) {
                await previous?.value
                await body()
            }
        }
    }

    /// Seconds from now until `deadline`, 0 when it has passed.
    static func seconds(until deadline: ContinuousClock.Instant) -> Double {
        max(0, ContinuousClock.now.duration(to: deadline).inSeconds)
    }

    /// Where the drains of `flush` and `shutdown` run when ``run()`` is not running.
    static let drainExecutor = DrainExecutor(label: "agent-ledger.drain")

    /// Writes what is queued, batch by batch, until nothing is left or `deadline` has passed.
    func drainInline(_ queue: EventQueue, deadline: ContinuousClock.Instant) async -> Bool {
        while ContinuousClock.now < deadline {
            if let taken = queue.take() {
                await processTaken(consume taken)
                continue
            }
            let pending = flusher.pendingState()
            if pending.events == 0 { return true }
            await processTaken(nil)
            let wait = min(pending.nextRetry ?? 0.01, 0.05)
            try? await Task.sleep(for: .nanoseconds(Int64(max(wait, 0.001) * 1e9)))
        }
        let stillPending = flusher.pendingState().events
        return queue.pending.count == 0 && stillPending == 0
    }

    func countLost(_ batch: Batch, agents: [String]) {
        var perAgent: [Int32: UInt64] = [:]
        for i in batch.head..<batch.entries.count { perAgent[batch.entries[i].slot, default: 0] += 1 }
        for (slot, n) in perAgent { queue?.countDropped(agent: agents[Int(slot)], n, reason: .notWritten) }
    }

    // MARK: - Waiting

    func requestShutdown() {
        let waiters = control.withLock { c -> [CheckedContinuation<Void, Never>] in
            c.shutdownStarted = true
            let w = c.shutdownRequestWaiters
            c.shutdownRequestWaiters.removeAll()
            return w
        }
        queue?.close()
        for w in waiters { w.resume() }
    }

    func waitForShutdownRequest() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = control.withLock { ctl -> Bool in
                    if ctl.shutdownStarted || Task.isCancelled { return true }
                    ctl.shutdownRequestWaiters.append(c)
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            self.requestShutdown()
        }
    }

    func resolveWaiters(pendingEvents: Int) {
        let ready = control.withLock { c -> [CheckedContinuation<Void, Never>] in
            c.pendingEventsAtLastCheck = pendingEvents
            guard pendingEvents == 0 else { return [] }
            var ready: [CheckedContinuation<Void, Never>] = []
            c.flushWaiters = c.flushWaiters.filter { w in
                if w.target <= c.writtenSequence {
                    ready.append(w.continuation)
                    return false
                }
                return true
            }
            return ready
        }
        for r in ready { r.resume() }
    }

    func waitForWritten(_ target: UInt64, seconds: Double) async -> Bool {
        let id = control.withLock { c -> Int in
            c.nextWaiterID += 1
            return c.nextWaiterID
        }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                        let now = self.control.withLock { ctl -> Bool in
                            if ctl.finished || Task.isCancelled { return true }
                            if ctl.writtenSequence >= target && ctl.pendingEventsAtLastCheck == 0 { return true }
                            ctl.flushWaiters.append((id, target, c))
                            return false
                        }
                        if now { c.resume() }
                    }
                } onCancel: {
                    let w = self.control.withLock { ctl -> CheckedContinuation<Void, Never>? in
                        guard let i = ctl.flushWaiters.firstIndex(where: { $0.id == id }) else { return nil }
                        return ctl.flushWaiters.remove(at: i).continuation
                    }
                    w?.resume()
                }
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: .nanoseconds(Int64(min(max(seconds, 0), 86400) * 1e9)))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first && control.withLock { $0.writtenSequence >= target }
        }
    }

    func waitForFinish(seconds: Double) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                        let now = self.control.withLock { ctl -> Bool in
                            if ctl.finished || Task.isCancelled { return true }
                            ctl.finishWaiters.append(c)
                            return false
                        }
                        if now { c.resume() }
                    }
                } onCancel: {
                    let ws = self.control.withLock { ctl -> [CheckedContinuation<Void, Never>] in
                        let w = ctl.finishWaiters
                        ctl.finishWaiters.removeAll()
                        return w
                    }
                    for w in ws { w.resume() }
                }
                return self.control.withLock { $0.finished }
            }
            group.addTask {
                try? await Task.sleep(for: .nanoseconds(Int64(min(max(seconds, 0), 86400) * 1e9)))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first || control.withLock { $0.finished }
        }
    }

    /// Takes the flusher's counters, while its writers are idle (between batches); `batchDone` also
    /// clears the batch in flight, under the same lock.
    func refreshFlushTotals(batchDone: Bool = false) {
        let t = flusher.totals()
        control.withLock {
            if batchDone { $0.inFlight = 0 }
            $0.flushTotals = FlushTotals(
                written: t.written,
                dropped: t.dropped,
                refused: t.refused,
                writeErrors: t.writeErrors,
                pending: t.pending
            )
        }
    }

    func finish(lost: UInt64, complete: Bool) async -> ShutdownReport {
        let stats = await statistics()
        let report = ShutdownReport(complete: complete && lost == 0, lost: lost, statistics: stats)
        let waiters = control.withLock { c -> [CheckedContinuation<Void, Never>] in
            if c.report == nil { c.report = report }
            c.finished = true
            let w = c.finishWaiters + c.flushWaiters.map(\.continuation)
            c.finishWaiters.removeAll()
            c.flushWaiters.removeAll()
            return w
        }
        for w in waiters { w.resume() }
        bus.finishAll()
        return control.withLock { $0.report! }
    }
}
