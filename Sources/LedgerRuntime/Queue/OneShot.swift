import Synchronization

/// A value given once, by whichever of several racers comes first, and awaited by one caller.
///
/// Later values are ignored. The caller's wait needs no task of its own: it resumes from the thread
/// that gave the value.
final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiter: CheckedContinuation<Value, Never>?
    }
    private let state = Mutex(State())

    /// Gives the value, if none was given yet.
    func resolve(_ value: Value) {
        let waiter = state.withLock { s -> CheckedContinuation<Value, Never>? in
            guard s.value == nil else { return nil }
            s.value = value
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: value)
    }

    /// The first value given; waits for it. For one caller.
    var value: Value {
        get async {
            await withCheckedContinuation { (c: CheckedContinuation<Value, Never>) in
                let given = state.withLock { s -> Value? in
                    if let v = s.value { return v }
                    s.waiter = c
                    return nil
                }
                if let given { c.resume(returning: given) }
            }
        }
    }
}
