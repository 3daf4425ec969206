/// One setting: its key in the config file and on the command line, and its environment variable.
public struct Setting: Sendable, Hashable {
    /// The dotted key in the config file (`event.buffer_size`).
    public var fileKey: String
    /// The environment variable (`AGI_EVENT_BUFFER_SIZE`).
    public var environmentName: String
    /// What it does, for `--help` and README.
    public var summary: String

    public static let root = Setting(
        fileKey: "root",
        environmentName: "AGENT_LEDGER_ROOT",
        summary: "ledger root folder"
    )
    public static let async = Setting(
        fileKey: "event.async",
        environmentName: "AGI_EVENT_ASYNC",
        summary: "queue events and write them in batches"
    )
    public static let bufferSize = Setting(
        fileKey: "event.buffer_size",
        environmentName: "AGI_EVENT_BUFFER_SIZE",
        summary: "queue capacity in events"
    )
    public static let bufferBytes = Setting(
        fileKey: "event.buffer_bytes",
        environmentName: "AGENT_LEDGER_BUFFER_BYTES",
        summary: "queue capacity in bytes"
    )
    public static let batchSize = Setting(
        fileKey: "event.batch_size",
        environmentName: "AGENT_LEDGER_BATCH_SIZE",
        summary: "events per batch write"
    )
    public static let flushInterval = Setting(
        fileKey: "event.flush_interval",
        environmentName: "AGI_EVENT_FLUSH_INTERVAL",
        summary: "seconds an event may wait before its batch is written"
    )
    public static let overflow = Setting(
        fileKey: "event.overflow",
        environmentName: "AGENT_LEDGER_OVERFLOW",
        summary: "dropNewest, dropOldest or block"
    )
    public static let blockTimeout = Setting(
        fileKey: "event.block_timeout",
        environmentName: "AGENT_LEDGER_BLOCK_TIMEOUT",
        summary: "seconds emit waits for room under block"
    )
    public static let fsync = Setting(
        fileKey: "ledger.fsync",
        environmentName: "AGENT_LEDGER_FSYNC",
        summary: "none, batch or always"
    )
    public static let maxEventBytes = Setting(
        fileKey: "event.max_bytes",
        environmentName: "AGENT_LEDGER_EVENT_MAX_BYTES",
        summary: "largest event line in bytes"
    )
    public static let strict = Setting(
        fileKey: "event.strict",
        environmentName: "AGENT_LEDGER_STRICT",
        summary: "refuse event types outside the catalogue"
    )
    public static let timeZone = Setting(
        fileKey: "ledger.time_zone",
        environmentName: "AGENT_LEDGER_TIME_ZONE",
        summary: "zone of ts and day files"
    )
    public static let unixTime = Setting(
        fileKey: "event.unix_time",
        environmentName: "AGENT_LEDGER_UNIX_TIME",
        summary: "also write ts_unix"
    )
    public static let context = Setting(
        fileKey: "event.context",
        environmentName: "AGENT_LEDGER_CONTEXT",
        summary: "add process and terminal context"
    )
    public static let offlineAfter = Setting(
        fileKey: "status.offline_after",
        environmentName: "AGENT_LEDGER_OFFLINE_AFTER",
        summary: "seconds without heartbeat before offline"
    )
    public static let shutdownTimeout = Setting(
        fileKey: "event.shutdown_timeout",
        environmentName: "AGENT_LEDGER_SHUTDOWN_TIMEOUT",
        summary: "longest flush or shutdown wait in seconds"
    )
    public static let lockTimeout = Setting(
        fileKey: "ledger.lock_timeout",
        environmentName: "AGENT_LEDGER_LOCK_TIMEOUT",
        summary: "seconds a write waits for another process's lock"
    )
    public static let writers = Setting(
        fileKey: "ledger.writers",
        environmentName: "AGENT_LEDGER_WRITERS",
        summary: "agent files written side by side, or auto"
    )
    public static let ledgerPath = Setting(
        fileKey: "ledger.path",
        environmentName: "AGI_LEDGER_PATH",
        summary: "single .jsonl file that also receives every event"
    )
    public static let errorPatterns = Setting(
        fileKey: "exec.error_patterns",
        environmentName: "AGENT_LEDGER_ERROR_PATTERNS",
        summary: "comma-separated text that marks an error line in exec's output"
    )
    public static let globalEvents = Setting(
        fileKey: "ledger.global_events",
        environmentName: "AGENT_LEDGER_GLOBAL_EVENTS",
        summary: "also write every event to state/events/YYYY-MM-DD.jsonl in seed 001's envelope"
    )

    public static let archive = Setting(
        fileKey: "archive.auto",
        environmentName: "AGENT_LEDGER_ARCHIVE",
        summary: "archive old day files at start and after each day change"
    )
    public static let archiveAfterDays = Setting(
        fileKey: "archive.after_days",
        environmentName: "AGENT_LEDGER_ARCHIVE_AFTER_DAYS",
        summary: "gzip day files older than today minus this many days"
    )
    public static let archiveRetentionDays = Setting(
        fileKey: "archive.retention_days",
        environmentName: "AGENT_LEDGER_ARCHIVE_RETENTION_DAYS",
        summary: "delete archives older than this many days (off when unset)"
    )

    /// Every setting, in README order.
    public static let all: [Setting] = [
        root, async, bufferSize, bufferBytes, batchSize, flushInterval, overflow, blockTimeout, fsync,
        maxEventBytes, strict, timeZone, unixTime, context, offlineAfter, shutdownTimeout, lockTimeout,
        writers, ledgerPath,
        errorPatterns, globalEvents, archive, archiveAfterDays, archiveRetentionDays,
    ]
}
