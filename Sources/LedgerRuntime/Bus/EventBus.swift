import DequeModule
import LedgerCore
import Synchronization

/// In-process publish/subscribe of every accepted event (seed 001: the bus is the single source of
/// truth for runtime telemetry).
///
/// Each subscriber has its own bounded buffer; when it is full the oldest event is dropped and
/// counted, so a slow subscriber never slows the writers. Publishing takes one short lock per
/// subscriber and never suspends.
public final class EventBus: Sendable {
    private let subscribers = Mutex<[Int: EventSubscription.Box]>([:])
    private let nextID = Atomic<Int>(0)
    private let count = Atomic<Int>(0)

    public init() {}

    /// Whether anyone listens; the emitter keeps event values for the bus only then.
    @inline(__always)
    public var hasSubscribers: Bool { count.load(ordering: .relaxed) > 0 }

    /// Subscribes to events that match `filter`.
    ///
    /// ```swift
    /// for await event in ledger.bus.subscribe(EventFilter(typePrefixes: ["task_"])) { print(event.type) }
    /// ```
    /// - Parameter bufferSize: how many events may wait for the subscriber before the oldest are dropped.
    public func subscribe(_ filter: EventFilter = .all, bufferSize: Int = 10_000) -> EventSubscription {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        let box = EventSubscription.Box(filter: filter, capacity: max(1, bufferSize))
        subscribers.withLock { $0[id] = box }
        count.add(1, ordering: .relaxed)
        return EventSubscription(box: box) { [weak self] in self?.remove(id) }
    }

    /// Delivers events to every matching subscriber.
    public func publish(_ events: some Sequence<LedgerEvent>) {
        guard hasSubscribers else { return }
        let boxes = subscribers.withLock { Array($0.values) }
        for e in events {
            for box in boxes where box.filter.matches(e) { box.push(e) }
        }
    }

    /// Delivers one event.
    public func publish(_ event: LedgerEvent) { publish(CollectionOfOne(event)) }

    /// Ends every subscription (their sequences finish after what they hold).
    public func finishAll() {
        let boxes = subscribers.withLock { s -> [EventSubscription.Box] in
            let b = Array(s.values)
            s.removeAll()
            return b
        }
        count.store(0, ordering: .relaxed)
        for b in boxes { b.finish() }
    }

    private func remove(_ id: Int) {
        let removed = subscribers.withLock { $0.removeValue(forKey: id) }
        if let removed {
            count.subtract(1, ordering: .relaxed)
            removed.finish()
        }
    }
}

/// A subscriber's events, as an `AsyncSequence`. Cancel it (or let it go) to unsubscribe.
public final class EventSubscription: AsyncSequence, Sendable {
    public typealias Element = LedgerEvent

    final class Box: Sendable {
        struct State {
            var buffer: Deque<LedgerEvent> = []
            var waiter: CheckedContinuation<LedgerEvent?, Never>?
            var finished = false
            var dropped: UInt64 = 0
        }

        let filter: EventFilter
        let capacity: Int
        let state = Mutex(State())

        init(filter: EventFilter, capacity: Int) {
            self.filter = filter
            self.capacity = capacity
        }

        func push(_ e: LedgerEvent) {
            let waiter = state.withLock { s -> CheckedContinuation<LedgerEvent?, Never>? in
                if s.finished { return nil }
                if let w = s.waiter {
                    s.waiter = nil
                    return w
                }
                if s.buffer.count >= capacity {
                    s.buffer.removeFirst()
                    s.dropped += 1
                }
                s.buffer.append(e)
                return nil
            }
            waiter?.resume(returning: e)
        }

        func finish() {
            let waiter = state.withLock { s -> CheckedContinuation<LedgerEvent?, Never>? in
                s.finished = true
                let w = s.waiter
                s.waiter = nil
                return w
            }
            waiter?.resume(returning: nil)
        }

        func next() async -> LedgerEvent? {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (c: CheckedContinuation<LedgerEvent?, Never>) in
                    let now = state.withLock { s -> (Bool, LedgerEvent?) in
                        if let e = s.buffer.popFirst() { return (true, e) }
                        if s.finished || Task.isCancelled { return (true, nil) }
                        s.waiter = c
                        return (false, nil)
                    }
                    if now.0 { c.resume(returning: now.1) }
                }
            } onCancel: {
                finish()
            }
        }
    }

    private let box: Box
    private let onCancel: @Sendable () -> Void

    init(box: Box, onCancel: @escaping @Sendable () -> Void) {
        self.box = box
        self.onCancel = onCancel
    }

    deinit { onCancel() }

    /// Events dropped because this subscriber fell behind.
    public var droppedCount: UInt64 { box.state.withLock { $0.dropped } }

    /// Stops the subscription; the sequence ends after the events it already holds.
    public func cancel() { onCancel() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let box: Box
        public mutating func next() async -> LedgerEvent? { await box.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(box: box) }
}
