import AgentLedger

extension Ledger {
    /// Records one event the command line made, then shuts the ledger down: returns only once the
    /// line is in its day file.
    ///
    /// - Throws: `LedgerError` for an event that is not valid (nothing written), `CLIError.failed`
    ///   when the ledger could not write it.
    func record(_ event: LedgerEvent) async throws {
        try check(event)
        emit(event)
        let report = await shutdown()
        if !report.complete || report.statistics.written == 0 {
            let reason = lastWriteError?.description ?? "the ledger could not write it"
            throw CLIError.failed("the \(event.type) event was not written: \(reason)")
        }
    }

    /// A new event stamped now (id, offset, context), ready for ``record(_:)``.
    func stampedEvent(
        _ type: String,
        agent: String,
        sessionID: String? = nil,
        summary: String? = nil,
        data: JSONObject
    ) -> LedgerEvent {
        var e = encoder.event(
            agent: agent,
            type: type,
            sessionID: sessionID,
            source: "agent-ledger-cli",
            summary: summary,
            data: .object(data)
        )
        encoder.complete(&e)
        return e
    }
}
