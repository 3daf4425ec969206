import LedgerCore
import LedgerStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every setting of the ledger, with its default.
///
/// Settings come from, in order of precedence: command-line flags, the environment, the config
/// file (`AGENT_LEDGER_CONFIG`, else `Config/agent-ledger.json` in the current folder when present),
/// then these defaults. See ``LedgerConfiguration/load(overrides:environment:)`` and README's table.
public struct LedgerConfiguration: Sendable {
    /// The ledger root: `g/ledger/…`, `agents/…` and `memory/…` live under it.
    /// Default `.`; `AGENT_LEDGER_ROOT`; file key `root`.
    public var root: String = "."
    /// Queue events and write them in batches (`true`), or write each event before `emit` returns (`false`).
    /// Default `false` (the seed's default); `AGI_EVENT_ASYNC`; file key `event.async`.
    public var async: Bool = false
    /// The most events the queue holds. Default 65,536; `AGI_EVENT_BUFFER_SIZE`; file key `event.buffer_size`.
    public var bufferSize: Int = 65_536
    /// The most bytes the queue holds. Default 64 MiB; `AGENT_LEDGER_BUFFER_BYTES`; file key `event.buffer_bytes`.
    public var bufferBytes: Int = 64 << 20
    /// Write a batch once this many events wait. Default 8,192; `AGENT_LEDGER_BATCH_SIZE`; file key `event.batch_size`.
    public var batchSize: Int = 8192
    /// Write a batch once its oldest event has waited this long, in seconds.
    /// Default 0.2; `AGI_EVENT_FLUSH_INTERVAL`; file key `event.flush_interval`.
    public var flushInterval: Double = 0.2
    /// What to do when the queue is full. Default `block`; `AGENT_LEDGER_OVERFLOW`; file key `event.overflow`.
    public var overflow: OverflowPolicy = .block
    /// How long `emit` may wait for room under the `block` policy, in seconds.
    /// Default 0.05; `AGENT_LEDGER_BLOCK_TIMEOUT`; file key `event.block_timeout`.
    public var blockTimeout: Double = 0.05
    /// When to fsync. Default `none`; `AGENT_LEDGER_FSYNC`; file key `ledger.fsync`.
    public var fsync: FsyncPolicy = .none
    /// The largest event line, in bytes. Default 1 MiB; `AGENT_LEDGER_EVENT_MAX_BYTES`; file key `event.max_bytes`.
    public var maxEventBytes: Int = EventEncoder.defaultMaxEventBytes
    /// Refuse event types outside the catalogue. Default `false`; `AGENT_LEDGER_STRICT`; file key `event.strict`.
    public var strict: Bool = false
    /// The zone of `ts` and of day files: `system`, `UTC`, `+07:00` or an IANA name.
    /// Default `system`; `AGENT_LEDGER_TIME_ZONE`; file key `ledger.time_zone`.
    public var timeZone: String = "system"
    /// Also write seed 003's `ts_unix`. Default `false`; `AGENT_LEDGER_UNIX_TIME`; file key `event.unix_time`.
    public var unixTime: Bool = false
    /// Add seed 001's `context` (pid, pgid, tty, term, terminal id, session) to every event.
    /// Default `false`; `AGENT_LEDGER_CONTEXT`; file key `event.context`.
    public var context: Bool = false
    /// Report an agent `offline` when its last heartbeat is older than this, in seconds.
    /// Default 300; `AGENT_LEDGER_OFFLINE_AFTER`; file key `status.offline_after`.
    public var offlineAfter: Double = 300
    /// The longest `flush()` and `shutdown()` wait before giving up and counting what is left as dropped, in seconds.
    /// Default 10; `AGENT_LEDGER_SHUTDOWN_TIMEOUT`; file key `event.shutdown_timeout`.
    public var shutdownTimeout: Double = 10
    /// How long a write waits while another process holds its file's lock, in seconds. A lock held
    /// longer (a process stopped in the middle of its write) makes the write fail with `locked`: the
    /// agent's lines are kept and retried like on a full disk, and the other agents carry on.
    /// Default 1; `AGENT_LEDGER_LOCK_TIMEOUT`; file key `ledger.lock_timeout`.
    public var lockTimeout: Double = DayFileWriter.defaultLockTimeout
    /// How many agents' files the async runtime writes side by side (each on a thread of its own,
    /// outside the shared concurrency pool). `nil` (`auto`): one fewer than the cores, at least one,
    /// so that the callers keep a core. More helps many agents on a disk whose writes wait (network
    /// storage, `fsync`). Default `auto`; `AGENT_LEDGER_WRITERS`; file key `ledger.writers`.
    public var writers: Int? = nil
    /// The number of writer queues ``writers`` asks for on this machine.
    public var writerCount: Int {
        writers ?? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) - 1)
    }
    /// A single `.jsonl` file that also receives every event (seed 003's one-file ledger). Default unset;
    /// `AGI_LEDGER_PATH`; file key `ledger.path`.
    public var ledgerPath: String? = nil
    /// Archive closed day files by itself (at ``Ledger/run()``'s start and after each day change).
    /// Default `true`; `AGENT_LEDGER_ARCHIVE`; file key `archive.auto`.
    public var archive: Bool = true
    /// Gzip day files whose date is before today minus this many days. Default 1 (today's and
    /// yesterday's files stay plain); `AGENT_LEDGER_ARCHIVE_AFTER_DAYS`; file key `archive.after_days`.
    public var archiveAfterDays: Int = 1
    /// Delete archives (`YYYY-MM-DD.jsonl.gz`, only those) older than this many days. Default unset:
    /// nothing is ever deleted; `AGENT_LEDGER_ARCHIVE_RETENTION_DAYS`; file key `archive.retention_days`.
    public var archiveRetentionDays: Int? = nil
    /// Text that marks an error line in the output of `agent-ledger exec` (seed 001 §4).
    /// Default `ERROR`, `FAIL`, `Exception`, `Traceback`; `AGENT_LEDGER_ERROR_PATTERNS` (comma-separated);
    /// file key `exec.error_patterns`.
    public var errorPatterns: [String] = ErrorDetector.Configuration.defaultPatterns
    /// Also write every event to the global stream `state/events/YYYY-MM-DD.jsonl` in seed 001's
    /// envelope. Default `false`; `AGENT_LEDGER_GLOBAL_EVENTS`; file key `ledger.global_events`.
    public var globalEvents: Bool = false

    public init() {}

    /// What ``DayArchiver`` does under these settings.
    public var archiveOptions: ArchiveOptions {
        var options = ArchiveOptions(afterDays: archiveAfterDays, retentionDays: archiveRetentionDays)
        // The archiver waits for a day file's lock as long as a writer would.
        options.lockWait = lockTimeout
        return options
    }

    /// The layout under ``root``.
    public var layout: LedgerLayout { LedgerLayout(root: root) }

    /// Checks that every value can be used.
    ///
    /// - Throws: `invalidConfiguration` naming the setting and its environment variable.
    public func validate() throws(LedgerError) {
        func bad(_ setting: Setting, _ why: String) -> LedgerError {
            LedgerError(.invalidConfiguration, "\(setting.fileKey) (\(setting.environmentName)): \(why)")
        }
        guard bufferSize >= 1 else { throw bad(.bufferSize, "must be at least 1, got \(bufferSize)") }
        guard bufferBytes >= 4096 else { throw bad(.bufferBytes, "must be at least 4096, got \(bufferBytes)") }
        guard batchSize >= 1 else { throw bad(.batchSize, "must be at least 1, got \(batchSize)") }
        guard flushInterval > 0, flushInterval <= 3600 else {
            throw bad(.flushInterval, "must be between 0 and 3600 seconds, got \(flushInterval)")
        }
        guard blockTimeout >= 0, blockTimeout <= 60 else {
            throw bad(.blockTimeout, "must be between 0 and 60 seconds, got \(blockTimeout)")
        }
        guard maxEventBytes >= 256, maxEventBytes <= bufferBytes else {
            throw bad(.maxEventBytes, "must be between 256 and buffer_bytes (\(bufferBytes)), got \(maxEventBytes)")
        }
        guard offlineAfter > 0 else { throw bad(.offlineAfter, "must be positive, got \(offlineAfter)") }
        guard shutdownTimeout >= 0, shutdownTimeout <= 86400 else {
            throw bad(.shutdownTimeout, "must be between 0 and 86400 seconds, got \(shutdownTimeout)")
        }
        guard lockTimeout >= 0, lockTimeout <= 3600 else {
            throw bad(.lockTimeout, "must be between 0 and 3600 seconds, got \(lockTimeout)")
        }
        if let writers, !(1...256).contains(writers) {
            throw bad(.writers, "must be between 1 and 256, or auto, got \(writers)")
        }
        guard offlineAfter <= 1e9 else { throw bad(.offlineAfter, "must be at most 1e9 seconds, got \(offlineAfter)") }
        do throws(LedgerError) { _ = try LedgerTimeZone.parse(timeZone) } catch { throw bad(.timeZone, error.message) }
        guard (0...36500).contains(archiveAfterDays) else {
            throw bad(.archiveAfterDays, "must be between 0 and 36500 days, got \(archiveAfterDays)")
        }
        if let keep = archiveRetentionDays {
            guard keep >= 1, keep <= 36500 else {
                throw bad(.archiveRetentionDays, "must be between 1 and 36500 days, got \(keep)")
            }
            guard keep > archiveAfterDays else {
                throw bad(
                    .archiveRetentionDays,
                    "must be more than archive.after_days (\(archiveAfterDays)), got \(keep): archives would be deleted as soon as they are made"
                )
            }
        }
        if errorPatterns.isEmpty || errorPatterns.contains(where: \.isEmpty) {
            throw bad(.errorPatterns, "list at least one pattern, with no empty ones, like ERROR,FAIL")
        }
        if let ledgerPath, !ledgerPath.hasSuffix(".jsonl") {
            throw bad(.ledgerPath, "must name a .jsonl file, got \"\(ledgerPath)\"")
        }
    }

    /// The encoder these settings describe.
    public func makeEncoder(timeSource: any TimeSource = SystemTimeSource()) throws(LedgerError) -> EventEncoder {
        EventEncoder(
            timeZone: try LedgerTimeZone.parse(timeZone),
            strict: strict,
            maxEventBytes: maxEventBytes,
            includeUnixTime: unixTime,
            context: context ? ProcessContext.current() : nil,
            timeSource: timeSource
        )
    }
}
