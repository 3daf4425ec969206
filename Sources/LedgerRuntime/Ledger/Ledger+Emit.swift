import CoreMetrics
import LedgerCore
import LedgerStore
import Synchronization

extension Ledger {
    /// Records an event. Never throws, never awaits, never crashes the caller.
    ///
    /// In async mode the event is validated, encoded into the queue and written by the next batch;
    /// in sync mode it is in its day file when this returns. An invalid event is refused and
    /// counted (``rejectedCount``, ``lastRejectionReason``); a full queue applies the overflow policy.
    ///
    /// - Returns: whether the event was accepted.
    @inline(__always)
    @discardableResult
    public func emit(_ event: LedgerEvent) -> Bool {
        do throws(LedgerError) {
            try encoder.validate(event)
        } catch {
            reject(error)
            return false
        }
        if let queue {
            // Borrowed all the way into the queue's buffer: no copy of the event per call.
            switch queue.offer(event, encoder: encoder, keepEvent: bus.hasSubscribers) {
            case .accepted: return true
            case .tooLarge:
                reject(LedgerError(.eventTooLarge, "event is over the limit of \(encoder.maxEventBytes) bytes"))
                return false
            case .dropped, .closed: return false
            }
        }
        return writeNow(event)
    }

    /// Records an event from its fields; see ``emit(_:)``.
    ///
    /// ```swift
    /// ledger.emit("task_result", agent: "cls", taskID: "wo-1", summary: "Done", data: ["status": "success"])
    /// ```
    @inline(__always)
    @discardableResult
    public func emit(
        _ type: String,
        agent: String? = nil,
        sessionID: String? = nil,
        taskID: String? = nil,
        source: String? = nil,
        summary: String? = nil,
        data: JSONValue = .object(JSONObject()),
        personaID: String? = nil,
        meta: JSONObject? = nil,
        at timestamp: Timestamp? = nil
    ) -> Bool {
        emit(
            encoder.event(
                agent: agent ?? defaultAgent,
                type: type,
                sessionID: sessionID,
                taskID: taskID,
                source: source,
                summary: summary,
                data: data,
                personaID: personaID,
                meta: meta,
                at: timestamp
            )
        )
    }

    /// Records an event, suspending (without blocking a thread) while the queue is full.
    ///
    /// For callers that want backpressure instead of drops. Returns `false` for an invalid event,
    /// a ledger that is shut down, or a task cancelled while waiting (then the event is counted as
    /// dropped, and a `ledger.dropped` notice with reason `cancelled_while_waiting` is written).
    @discardableResult
    public func emitWaiting(_ event: LedgerEvent) async -> Bool {
        do throws(LedgerError) {
            try encoder.validate(event)
        } catch {
            reject(error)
            return false
        }
        guard let queue else { return writeNow(event) }
        while true {
            switch queue.tryOffer(event, encoder: encoder, keepEvent: bus.hasSubscribers) {
            case .accepted: return true
            case .closed: return false
            case .tooLarge:
                reject(LedgerError(.eventTooLarge, "event is over the limit of \(encoder.maxEventBytes) bytes"))
                return false
            case .dropped:
                if Task.isCancelled {
                    // The caller gave up: counted and reported like any other drop, never silent.
                    queue.countDropped(agent: event.agent, 1, reason: .cancelled)
                    return false
                }
                try? await Task.sleep(for: .microseconds(100))
            }
        }
    }

    /// Checks an event the way `emit` will, and that its line fits the size cap; throws what is wrong.
    ///
    /// The command line calls this first so that bad input gets a clear error and writes nothing.
    public func check(_ event: LedgerEvent) throws(LedgerError) {
        var e = event
        var scratch: [UInt8] = []
        try encoder.encode(&e, into: &scratch)
    }

    func reject(_ error: LedgerError) {
        rejected.add(1, ordering: .relaxed)
        lastRejection.withLock { $0 = error }
        metrics.rejected.increment()
    }

    /// The sync-mode path: the line is in the file when this returns.
    ///
    /// The line is written on the caller's stack; the event is copied and completed only where it is
    /// kept (a status update held back, the global stream, the bus).
    func writeNow(_ event: LedgerEvent) -> Bool {
        let stamp = encoder.stamp(event)
        return StagedBytes.withStagedLine(
            writing: { encoder.writeLine(event, stamp: stamp, into: &$0) },
            then: { line in writeNow(event, stamp: stamp, line: UnsafeRawBufferPointer(line)) }
        )
    }

    private func writeNow(_ event: LedgerEvent, stamp: EventEncoder.Stamp, line: UnsafeRawBufferPointer) -> Bool {
        if line.count > encoder.maxEventBytes {
            reject(LedgerError(.eventTooLarge, "event is \(line.count) bytes: the limit is \(encoder.maxEventBytes)"))
            return false
        }
        let date = CivilDate(daysSinceEpoch: event.timestamp.localDay(utcOffsetSeconds: stamp.utcOffsetSeconds))
        let keepsStatus = StatusKind.of(event.type) != StatusKind.none
        // The completed event, made once, where it is kept: a held status update, the global stream, the bus.
        var completed: LedgerEvent?
        if keepsStatus || globalStream != nil || bus.hasSubscribers {
            var e = event
            encoder.apply(stamp, to: &e)
            completed = e
        }
        let borrowed = BorrowedBytes(line)
        let (written, statusDue) = syncState.withLock { s -> (Bool, [LedgerEvent]?) in
            let writer: DayFileWriter
            if let w = s.writers[event.agent] {
                writer = w
            } else {
                writer = DayFileWriter(
                    layout: layout,
                    agent: event.agent,
                    fsyncPolicy: configuration.fsync,
                    lockTimeout: configuration.lockTimeout,
                    faults: faults
                )
                s.writers[event.agent] = writer
            }
            do throws(AppendFailure) {
                try writer.append(borrowed.bytes, date: date)
                s.written += 1
            } catch {
                s.failed += 1
                lastWriteFailure.withLock { $0 = error.error }
                return (false, nil)
            }
            guard keepsStatus, let completed else { return (true, nil) }
            Self.holdStatus(completed, in: &s.statusPending[event.agent, default: []])
            // Status is written at most once per flush interval per agent in sync mode.
            let now = MonotonicClock.nanoseconds()
            let last = s.statusWrittenAt[event.agent] ?? 0
            guard now - last >= UInt64(configuration.flushInterval * 1e9) else { return (true, nil) }
            s.statusWrittenAt[event.agent] = now
            return (true, s.statusPending.removeValue(forKey: event.agent))
        }
        // A write that failed is counted (statistics, `lastWriteError`); the caller is not bothered.
        guard written else { return false }
        compatibilityFile?.append(line)
        if let completed { globalStream?.append([completed]) }
        if let statusDue {
            let wait = min(configuration.lockTimeout, AgentWriter.statusLockWait)
            let store = StatusStore(layout: layout, lockWait: wait)
            try? store.apply(agent: event.agent, events: statusDue)
        }
        if event.type == "session_end", let session = event.sessionID {
            _ = try? SessionStore(layout: layout).summarize(session: session, agent: event.agent)
        }
        if let completed { bus.publish(completed) }
        return true
    }

    /// Holds a status event back until the agent's status is next written.
    ///
    /// An event that applies to the status exactly as the one before it would (same type, and each
    /// of task and session either given or not given before) replaces it: the status it leaves is the
    /// same, and a stream of one kind of event keeps one event held per agent, not one per emit.
    static func holdStatus(_ event: LedgerEvent, in pending: inout [LedgerEvent]) {
        if let last = pending.last, last.type == event.type,
            last.taskID == nil || event.taskID != nil,
            last.sessionID == nil || event.sessionID != nil
        {
            pending[pending.count - 1] = event
        } else {
            pending.append(event)
        }
    }

    /// Writes the status updates sync mode held back.
    func flushSyncStatus() {
        let due = syncState.withLock { s -> [String: [LedgerEvent]] in
            let d = s.statusPending
            s.statusPending.removeAll()
            for w in s.writers.values { try? w.sync() }
            return d
        }
        let store = StatusStore(layout: layout, lockWait: configuration.lockTimeout)
        for (agent, events) in due.sorted(by: { $0.key < $1.key }) {
            try? store.apply(agent: agent, events: events)
        }
    }
}

/// Bytes on the caller's stack, handed into a lock's critical section: read there while the caller
/// waits, never kept.
private struct BorrowedBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}
