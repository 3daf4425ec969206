import LedgerCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bounded queue between `emit` and the flusher: bounded in events and in bytes.
///
/// Producers encode their event on their own stack, then copy it into the queue's byte buffer
/// under one short lock; nothing is allocated per event once the buffers have grown to their
/// working size. The flusher swaps the whole buffer out in one step and hands back the previous one to reuse.
/// What does not fit is dropped by the ``OverflowPolicy`` and counted per agent.
final class EventQueue: Sendable {
    struct Counters {
        var accepted: UInt64 = 0
        var droppedFull: UInt64 = 0
        var droppedClosed: UInt64 = 0
        var droppedOldest: UInt64 = 0
        var droppedNotWritten: UInt64 = 0
        var droppedCancelled: UInt64 = 0
    }

    /// Why events were dropped; each reason gets its own `ledger.dropped` notice.
    enum DropReason: String, CaseIterable, Sendable {
        /// The queue was full (`dropNewest`, or `block` past its wait).
        case queueFull = "queue_full"
        /// Pushed out by newer events (`dropOldest`).
        case dropOldest = "drop_oldest"
        /// Accepted, but not written when the shutdown deadline passed.
        case notWritten = "not_written_by_deadline"
        /// `emitWaiting` was cancelled while the queue was full.
        case cancelled = "cancelled_while_waiting"

        var index: Int {
            switch self {
            case .queueFull: 0
            case .dropOldest: 1
            case .notWritten: 2
            case .cancelled: 3
            }
        }
    }

    /// The drops of one agent for one reason since the last take.
    struct Drop: Sendable {
        var agent: String
        var reason: DropReason
        var count: UInt64
    }

    /// What the flusher takes at once: the batch, the drop counts, and the agent of each slot.
    struct Taken: Sendable {
        var batch: Batch
        var drops: [Drop]
        var agents: [String]
    }

    private struct State {
        var active = Batch()
        var spare: Batch? = Batch()
        var agentSlots: [String: Int32] = [:]
        var agents: [String] = []
        /// Drops per agent slot and reason since the flusher last took them.
        var drops: [[UInt64]] = [] {
            didSet { dropsPending = true }
        }
        var dropsPending = false
        var counters = Counters()
        /// The sequence number of the next accepted event.
        var sequence: UInt64 = 0
        var closed = false
    }

    let maxEvents: Int
    let maxBytes: Int
    let batchSize: Int
    /// A batch is due at this many events: `batchSize`, or half the queue when the queue is smaller,
    /// so that a small queue is drained before it fills instead of waiting for the flush interval.
    let dueCount: Int
    /// A batch is due at this many bytes: half the byte cap.
    let dueBytes: Int
    let policy: OverflowPolicy
    let blockTimeout: Double
    private let state: Mutex<State>
    /// Wakes the flusher when a batch is full, when the first event arrives, or when asked to flush.
    let wake = WakeSignal()

    init(maxEvents: Int, maxBytes: Int, batchSize: Int, policy: OverflowPolicy, blockTimeout: Double) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
        self.batchSize = batchSize
        self.dueCount = max(1, min(batchSize, maxEvents / 2))
        self.dueBytes = max(1, maxBytes / 2)
        self.policy = policy
        self.blockTimeout = blockTimeout
        var s = State()
        s.active.bytes.reserveCapacity(min(maxBytes, 1 << 20))
        s.active.entries.reserveCapacity(min(maxEvents, batchSize))
        state = Mutex(s)
    }

    /// What `offer` did with an event.
    enum Outcome {
        case accepted
        case dropped
        case closed
        /// The encoded line is over the size cap: refused, not dropped.
        case tooLarge
    }

    /// Encodes an already validated event into the queue.
    ///
    /// - Parameter keepEvent: also keep the event value, for bus subscribers.
    @inline(__always)
    func offer(_ event: LedgerEvent, encoder: EventEncoder, keepEvent: Bool) -> Outcome {
        offer(event, encoder: encoder, keepEvent: keepEvent, applyPolicy: true)
    }

    /// Like `offer`, but when the queue is full returns `.dropped` at once without waiting,
    /// dropping others, or counting a drop: the caller will try again.
    func tryOffer(_ event: LedgerEvent, encoder: EventEncoder, keepEvent: Bool) -> Outcome {
        offer(event, encoder: encoder, keepEvent: keepEvent, applyPolicy: false)
    }

    @inline(__always)
    private func offer(
        _ event: LedgerEvent,
        encoder: EventEncoder,
        keepEvent: Bool,
        applyPolicy: Bool
    ) -> Outcome {
        // The line is written in the caller's thread, on its stack, before the lock is taken:
        // producers encode side by side and hold the lock only to copy the bytes in.
        let stamp = encoder.stamp(event)
        return StagedBytes.withStagedLine(
            writing: { encoder.writeLine(event, stamp: stamp, into: &$0) },
            then: { line in
                guard line.count <= encoder.maxEventBytes else { return .tooLarge }
                return enqueue(
                    line,
                    event: event,
                    stamp: stamp,
                    encoder: encoder,
                    keepEvent: keepEvent,
                    applyPolicy: applyPolicy
                )
            }
        )
    }

    /// Copies an encoded line into the queue, applying the overflow policy when it is full.
    @inline(__always)
    private func enqueue(
        _ line: UnsafeBufferPointer<UInt8>,
        event: LedgerEvent,
        stamp: EventEncoder.Stamp,
        encoder: EventEncoder,
        keepEvent: Bool,
        applyPolicy: Bool
    ) -> Outcome {
        let kind = StatusKind.of(event.type)
        let day = Int32(truncatingIfNeeded: event.timestamp.localDay(utcOffsetSeconds: stamp.utcOffsetSeconds))
        let length = line.count
        var deadline: UInt64 = 0
        while true {
            let result = state.withLock { s -> (Outcome, wake: Bool, full: Bool) in
                if s.closed {
                    s.counters.droppedClosed += 1
                    return (.closed, false, false)
                }
                let slot = Self.slot(for: event.agent, in: &s)
                if s.active.count >= maxEvents || s.active.liveBytes + length > maxBytes {
                    guard policy == .dropOldest && applyPolicy else { return (.dropped, true, true) }
                    while !s.active.isEmpty && (s.active.count >= maxEvents || s.active.liveBytes + length > maxBytes) {
                        let old = s.active.entries[s.active.head]
                        s.active.liveBytes -= Int(old.length)
                        s.drops[Int(old.slot)][DropReason.dropOldest.index] += 1
                        s.counters.droppedOldest += 1
                        if s.active.head < s.active.events.count {
                            s.active.events[s.active.head] = nil
                        }
                        s.active.head += 1
                    }
                    Self.compactIfNeeded(&s.active)
                }
                let offset = s.active.bytes.count
                s.active.bytes.append(contentsOf: line)
                s.active.entries.append(
                    Batch.Entry(offset: offset, length: Int32(length), slot: slot, day: day, statusKind: kind)
                )
                if keepEvent || !s.active.events.isEmpty {
                    // Keep `events` parallel to `entries` once any event is kept in this batch.
                    while s.active.events.count < s.active.entries.count - 1 { s.active.events.append(nil) }
                    if keepEvent {
                        var kept = event
                        encoder.apply(stamp, to: &kept)
                        s.active.events.append(kept)
                    } else {
                        s.active.events.append(nil)
                    }
                }
                s.active.liveBytes += length
                s.sequence += 1
                s.counters.accepted += 1
                let count = s.active.count
                if count == 1 { s.active.oldestEnqueued = MonotonicClock.nanoseconds() }
                let crossedBytes = s.active.liveBytes >= dueBytes && s.active.liveBytes - length < dueBytes
                return (.accepted, count == 1 || count == dueCount || crossedBytes, false)
            }
            if result.wake { wake.signal() }
            if result.0 != .dropped || !result.full { return result.0 }
            // Full.
            if !applyPolicy { return .dropped }
            if policy == .block {
                let now = MonotonicClock.nanoseconds()
                if deadline == 0 { deadline = now + UInt64(blockTimeout * 1e9) }
                if now < deadline {
                    usleep(50)
                    continue
                }
            }
            state.withLock { s in
                let slot = Self.slot(for: event.agent, in: &s)
                s.drops[Int(slot)][DropReason.queueFull.index] += 1
                s.counters.droppedFull += 1
            }
            return .dropped
        }
    }

    /// Takes everything queued, and the drop counts since the last take.
    func take() -> Taken? {
        state.withLock { s in
            let hasDrops = s.dropsPending && s.drops.contains { $0.contains { $0 > 0 } }
            guard !s.active.isEmpty || hasDrops else { return nil }
            var next = s.spare ?? Batch()
            s.spare = nil
            next.reset()
            var taken = s.active
            s.active = next
            taken.endSequence = s.sequence
            var drops: [Drop] = []
            if hasDrops {
                for i in s.drops.indices {
                    for reason in DropReason.allCases where s.drops[i][reason.index] > 0 {
                        drops.append(Drop(agent: s.agents[i], reason: reason, count: s.drops[i][reason.index]))
                        s.drops[i][reason.index] = 0
                    }
                }
            }
            s.dropsPending = false
            return Taken(batch: taken, drops: drops, agents: s.agents)
        }
    }

    /// Gives a written batch's buffers back for reuse, leaving `batch` empty.
    ///
    /// The caller must hold the only reference to the buffers: a shared buffer would be copied
    /// by the reset into fresh memory, and every producer's first touch of it would fault.
    func recycle(_ batch: inout Batch) {
        var b = Batch()
        swap(&b, &batch)
        // Buffers that grew past the cap (one huge burst) are not kept.
        guard b.bytes.capacity <= maxBytes * 2 else { return }
        b.reset()
        state.withLock { s in
            if s.spare == nil { s.spare = b }
        }
    }

    /// Counts events that never reached the file, per agent and reason: taken but not written by the
    /// shutdown deadline, or offered by a caller that gave up waiting.
    func countDropped(agent: String, _ n: UInt64, reason: DropReason) {
        state.withLock { s in
            let slot = Self.slot(for: agent, in: &s)
            s.drops[Int(slot)][reason.index] += n
            switch reason {
            case .queueFull: s.counters.droppedFull += n
            case .dropOldest: s.counters.droppedOldest += n
            case .notWritten: s.counters.droppedNotWritten += n
            case .cancelled: s.counters.droppedCancelled += n
            }
        }
    }

    /// The sequence number after the last accepted event.
    var sequence: UInt64 { state.withLock { $0.sequence } }

    /// Events and bytes waiting, when the oldest arrived, and whether drops wait to be recorded.
    var pending: (count: Int, bytes: Int, oldest: UInt64, hasDrops: Bool) {
        state.withLock { s in (s.active.count, s.active.liveBytes, s.active.oldestEnqueued, s.dropsPending) }
    }

    /// Whether this many waiting events and bytes make a batch without waiting for the flush interval.
    func isBatchDue(count: Int, bytes: Int) -> Bool {
        count >= dueCount || bytes >= dueBytes
    }

    var counters: Counters { state.withLock { $0.counters } }

    /// Stops intake: later offers are refused and counted.
    func close() {
        state.withLock { $0.closed = true }
        wake.signal()
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    @inline(__always)
    private static func slot(for agent: String, in s: inout State) -> Int32 {
        // A few agents are found faster by comparing than by hashing. First by their bits: `agents`
        // holds every string it lists, so no other string has the same bits (equal small strings
        // and strings sharing storage do), and a mismatch costs no call into the string library.
        if s.agents.count <= 8 {
            let bits = unsafeBitCast(agent, to: (UInt64, UInt64).self)
            for i in s.agents.indices where unsafeBitCast(s.agents[i], to: (UInt64, UInt64).self) == bits {
                return Int32(i)
            }
            for i in s.agents.indices where s.agents[i] == agent { return Int32(i) }
        } else if let slot = s.agentSlots[agent] {
            return slot
        }
        let slot = Int32(s.agents.count)
        s.agents.append(agent)
        s.agentSlots[agent] = slot
        s.drops.append(Array(repeating: 0, count: DropReason.allCases.count))
        s.dropsPending = s.drops.contains { $0.contains { $0 > 0 } }
        return slot
    }

    private static func compactIfNeeded(_ b: inout Batch) {
        // Once more than half the entries were dropped from the front, move the live part down.
        guard b.head > 1024, b.head * 2 > b.entries.count else { return }
        let firstOffset = b.head < b.entries.count ? b.entries[b.head].offset : b.bytes.count
        b.bytes.removeSubrange(0..<firstOffset)
        b.entries.removeSubrange(0..<b.head)
        if !b.events.isEmpty { b.events.removeSubrange(0..<min(b.head, b.events.count)) }
        for i in b.entries.indices { b.entries[i].offset -= firstOffset }
        b.head = 0
    }

    /// The local day of an event at its own offset, as the batch records it.
    @inline(__always)
    static func localDay(_ e: LedgerEvent) -> Int32 {
        Int32(truncatingIfNeeded: e.timestamp.localDay(utcOffsetSeconds: e.utcOffsetSeconds))
    }
}
