import Synchronization

/// Wakes one waiting task from synchronous code, without an actor hop.
///
/// `signal()` before `wait()` is remembered, so a wake is never lost; extra wakes are harmless
/// because the waiter always re-checks what it waits for.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Wakes the waiter, or remembers the wake for the next `wait()`.
    func signal() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Waits for a signal; returns at once on cancellation.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.pending || Task.isCancelled {
                        s.pending = false
                        return true
                    }
                    s.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            signal()
        }
    }

    /// Waits for a signal or for `seconds`, whichever comes first.
    func wait(seconds: Double) async {
        guard seconds > 0 else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask { try? await Task.sleep(for: .nanoseconds(Int64(min(seconds, 86400) * 1e9))) }
            await group.next()
            group.cancelAll()
        }
    }
}
