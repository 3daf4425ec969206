/// How archiving behaves.
public struct ArchiveOptions: Sendable, Hashable {
    /// Archive day files whose date is before today minus this many days. Default 1: today's and
    /// yesterday's files stay plain.
    public var afterDays: Int = 1
    /// When set, archives (`YYYY-MM-DD.jsonl.gz`) whose date is before today minus this many days are
    /// deleted. Default `nil`: nothing is ever deleted.
    public var retentionDays: Int? = nil
    /// Report what would be done and change nothing.
    public var dryRun = false
    /// zlib's compression level, 1 to 9. Default 6, gzip's own default.
    public var compressionLevel: Int32 = 6
    /// How long to wait, in seconds, for a day file's lock that another process holds (a writer in
    /// the middle of a late append, or one stopped while holding it). When the wait runs out the day
    /// is left as it is, reported as a `locked` failure, and archived by a later run. Default: the
    /// writers' own wait, 1 s (the ledger's configuration passes `ledger.lock_timeout`).
    public var lockWait: Double = DayFileWriter.defaultLockTimeout

    public init(afterDays: Int = 1, retentionDays: Int? = nil, dryRun: Bool = false) {
        self.afterDays = afterDays
        self.retentionDays = retentionDays
        self.dryRun = dryRun
    }
}

/// How far an archive run has got, for a progress bar.
public struct ArchiveProgress: Sendable, Hashable {
    public var filesDone: Int
    public var filesTotal: Int
    public var bytesDone: Int64
    public var bytesTotal: Int64
    /// The plain file being archived.
    public var current: String
}
