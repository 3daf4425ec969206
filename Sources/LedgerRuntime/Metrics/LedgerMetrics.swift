import CoreMetrics

/// The ledger's swift-metrics instruments. Updated once per batch, never per event.
struct LedgerMetrics: Sendable {
    let accepted: Counter
    let droppedQueueFull: Counter
    let droppedOldest: Counter
    let droppedClosed: Counter
    let droppedWrite: Counter
    let droppedNotWritten: Counter
    let droppedCancelled: Counter
    let rejected: Counter
    let written: Counter
    let writeErrors: Counter
    /// Failed writes of the copies: the one-file ledger (`AGI_LEDGER_PATH`) and the global stream.
    let ledgerPathErrors: Counter
    let globalStreamErrors: Counter
    let queueDepth: Gauge
    let batchSize: Recorder
    let flushDuration: Timer

    /// - Parameter factory: where the instruments come from; by default the bootstrapped metrics system.
    init(factory: any MetricsFactory = MetricsSystem.factory) {
        func dropped(_ reason: String) -> Counter {
            Counter(label: "agent_ledger_events_dropped_total", dimensions: [("reason", reason)], factory: factory)
        }
        accepted = Counter(label: "agent_ledger_events_accepted_total", factory: factory)
        droppedQueueFull = dropped(EventQueue.DropReason.queueFull.rawValue)
        droppedOldest = dropped(EventQueue.DropReason.dropOldest.rawValue)
        droppedClosed = dropped("shut_down")
        droppedWrite = dropped("write_failed")
        droppedNotWritten = dropped(EventQueue.DropReason.notWritten.rawValue)
        droppedCancelled = dropped(EventQueue.DropReason.cancelled.rawValue)
        rejected = Counter(label: "agent_ledger_events_rejected_total", factory: factory)
        written = Counter(label: "agent_ledger_events_written_total", factory: factory)
        writeErrors = Counter(label: "agent_ledger_write_errors_total", factory: factory)
        ledgerPathErrors = Counter(
            label: "agent_ledger_copy_write_errors_total",
            dimensions: [("copy", "ledger_path")],
            factory: factory
        )
        globalStreamErrors = Counter(
            label: "agent_ledger_copy_write_errors_total",
            dimensions: [("copy", "global_stream")],
            factory: factory
        )
        queueDepth = Gauge(label: "agent_ledger_queue_depth", factory: factory)
        batchSize = Recorder(label: "agent_ledger_batch_size", aggregate: true, factory: factory)
        flushDuration = Timer(label: "agent_ledger_flush_duration", factory: factory)
    }
}
