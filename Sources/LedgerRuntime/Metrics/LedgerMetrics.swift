import CoreMetrics

/// The ledger's swift-metrics instruments. Updated once per batch, never per event.
struct LedgerMetrics: Sendable {
    let accepted = Counter(label: "agent_ledger_events_accepted_total")
    let droppedQueueFull = Counter(label: "agent_ledger_events_dropped_total", dimensions: [("reason", "queue_full")])
    let droppedOldest = Counter(label: "agent_ledger_events_dropped_total", dimensions: [("reason", "drop_oldest")])
    let droppedClosed = Counter(label: "agent_ledger_events_dropped_total", dimensions: [("reason", "shut_down")])
    let droppedWrite = Counter(label: "agent_ledger_events_dropped_total", dimensions: [("reason", "write_failed")])
    let rejected = Counter(label: "agent_ledger_events_rejected_total")
    let written = Counter(label: "agent_ledger_events_written_total")
    let writeErrors = Counter(label: "agent_ledger_write_errors_total")
    let queueDepth = Gauge(label: "agent_ledger_queue_depth")
    let batchSize = Recorder(label: "agent_ledger_batch_size", aggregate: true)
    let flushDuration = Timer(label: "agent_ledger_flush_duration")
}
