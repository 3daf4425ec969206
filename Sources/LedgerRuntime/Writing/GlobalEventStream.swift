import CoreMetrics
import LedgerCore
import LedgerStore
import Synchronization

/// Seed 001's optional global stream: every agent's events, in seed 001's envelope
/// (``GlobalEnvelope``), in `state/events/YYYY-MM-DD.jsonl` by the events' local day.
///
/// Written once per batch by the flusher (or per event in sync mode), after the agents' files:
/// never on `emit`'s path. Append-only day files with the same rules as an agent's ledger.
/// A line it cannot build or write is counted in ``failures`` (and the metrics' copy write
/// errors); it never reaches the caller.
final class GlobalEventStream: Sendable {
    let directory: String
    let defaultSession: String?
    let user: String?
    /// The day file writer, and until when (monotonic nanoseconds) writes are not tried after a lock
    /// held by another process ran out its wait: batches meanwhile are counted as failed instead of
    /// each waiting for the lock again.
    private let writer: Mutex<(writer: DayFileWriter, pausedUntil: UInt64, pause: UInt64)>
    let failures = Atomic<UInt64>(0)
    private let failureCounter: Counter?

    init(
        layout: LedgerLayout,
        fsync: FsyncPolicy,
        lockTimeout: Double = DayFileWriter.defaultLockTimeout,
        context: EventContext,
        failureCounter: Counter? = nil
    ) {
        self.failureCounter = failureCounter
        directory = layout.globalEventsDirectory
        defaultSession = context.session
        user = ProcessContext.user
        let w = DayFileWriter(
            directory: layout.globalEventsDirectory,
            under: layout.root,
            fsyncPolicy: fsync,
            lockTimeout: lockTimeout
        )
        writer = Mutex((w, 0, 0))
    }

    /// Appends the envelopes of a run of ledger lines (each ending in `\n`).
    func append(lines bytes: UnsafeRawBufferPointer) {
        var events: [LedgerEvent] = []
        var start = 0
        for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
            if i > start {
                if let e = try? EventLine.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<i])) {
                    events.append(e)
                } else {
                    failed()
                }
            }
            start = i + 1
        }
        append(events)
    }

    /// Appends the envelopes of stamped events, one write per day.
    func append(_ events: [LedgerEvent]) {
        var byDay: [(day: CivilDate, bytes: [UInt8])] = []
        for e in events {
            let o = GlobalEnvelope.object(e, defaultSession: defaultSession, user: user)
            do throws(LedgerError) { try GlobalEnvelope.validate(o) } catch {
                failed()
                continue
            }
            let day = e.localDate
            if byDay.last?.day != day { byDay.append((day, [])) }
            JSONWriter.writeObject(o, into: &byDay[byDay.count - 1].bytes)
            byDay[byDay.count - 1].bytes.append(UInt8(ascii: "\n"))
        }
        guard !byDay.isEmpty else { return }
        writer.withLock { w in
            for chunk in byDay {
                let now = MonotonicClock.nanoseconds()
                if now < w.pausedUntil {
                    failed()
                    continue
                }
                do throws(AppendFailure) {
                    try w.writer.append(chunk.bytes, date: chunk.day)
                    w.pause = 0
                } catch {
                    failed()
                    if error.error.code == .locked {
                        // 0.1 s, doubling to 5 s, while the lock stays held.
                        w.pause = min(5_000_000_000, max(100_000_000, w.pause * 2))
                        w.pausedUntil = MonotonicClock.nanoseconds() &+ w.pause
                    }
                }
            }
        }
    }

    private func failed() {
        failures.add(1, ordering: .relaxed)
        failureCounter?.increment()
    }
}
