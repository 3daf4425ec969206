extension GitLedger {
    /// A git ledger whose recorded runs also go into the runtime's ledger as `ledger:run` events, so
    /// that bus subscribers (tracing, a live stream) see them (seed 004 publishes `ledger:run` on the bus).
    ///
    /// ```swift
    /// let runs = GitLedger(repository: ".", publishingTo: ledger)
    /// try await runs.recordRun(Run(type: "apply"), events: [])   // also emits ledger:run for agent "git-ledger"
    /// ```
    /// - Parameter agent: the agent whose ledger receives the events; default `git-ledger`.
    public init(
        repository: String,
        configuration: Configuration = Configuration(),
        publishingTo ledger: Ledger,
        agent: String = "git-ledger"
    ) {
        self.init(repository: repository, configuration: configuration) { run in
            ledger.emit(
                "ledger:run",
                agent: agent,
                taskID: run.runID,
                source: "git-ledger",
                summary: run.summary.isEmpty ? "run \(run.runID) recorded" : run.summary,
                data: .object(run.json)
            )
        }
    }
}
