import LedgerCore
import LedgerStore

extension Ledger {
    /// Runs `body` (the ledger's loops) with the archiver beside it when `archive.auto` is on: it
    /// archives once at the start and again after each change of the local date, on a queue of its
    /// own, so neither `emit` nor the flusher ever waits for it. It stops when `body` returns.
    func withArchiving(_ body: () async throws -> Void) async throws {
        guard configuration.archive else { return try await body() }
        let archiver = Archiver(
            DayArchiver(layout: layout, ledgerPath: configuration.ledgerPath, options: configuration.archiveOptions)
        )
        let encoder = self.encoder
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await Self.archiveLoop(archiver, encoder: encoder) }
            do {
                try await body()
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// Archives now, then each time the local date (by the ledger's clock and zone) moves on.
    static func archiveLoop(_ archiver: Archiver, encoder: EventEncoder) async {
        var archivedFor: CivilDate?
        while !Task.isCancelled {
            let now = encoder.timeSource.now()
            let today = encoder.timeZone.localDate(of: now)
            if today != archivedFor {
                _ = await archiver.run(today: today)
                archivedFor = today
                continue
            }
            // Wake just after local midnight, and at least once a minute in case the clock jumps.
            let offset = Int64(encoder.timeZone.utcOffsetSeconds(at: now))
            let localMs = now.milliseconds + offset * 1000
            let msToMidnight = 86_400_000 - ((localMs % 86_400_000) + 86_400_000) % 86_400_000
            let wait = min(msToMidnight + 500, 60_000)
            do {
                try await Task.sleep(for: .milliseconds(wait))
            } catch {
                return
            }
        }
    }
}
