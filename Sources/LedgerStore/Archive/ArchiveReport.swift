import LedgerCore

/// What an archive run did (or, for a dry run, would do).
public struct ArchiveReport: Sendable {
    /// One day file compressed into its archive (or appended to it as a new member).
    public struct Archived: Sendable, Hashable {
        /// The plain file that was archived.
        public var source: String
        /// The archive it went into.
        public var archive: String
        /// The plain file's size.
        public var bytesIn: Int64
        /// The compressed bytes added to the archive.
        public var bytesOut: Int64
        /// Whether it went in as a new member of an archive that was already there (late events).
        public var appended: Bool
    }

    /// What recovery found left by an interrupted run, and did about it.
    public struct Recovered: Sendable, Hashable {
        public enum Action: String, Sendable, Hashable {
            /// A temporary archive was removed; the plain file stays and is archived again.
            case removedTemporary = "removed-temporary"
            /// The archive already held the plain file's bytes (a crash after the rename): the plain file was removed.
            case removedArchivedPlain = "removed-archived-plain"
            /// An archive that does not decompress was renamed to `….corrupt`; the plain file stays.
            case setAsideCorrupt = "set-aside-corrupt"
        }
        public var path: String
        public var action: Action
    }

    public var archived: [Archived] = []
    public var recovered: [Recovered] = []
    /// Archives removed by the retention setting.
    public var deleted: [String] = []
    /// Day files that could not be archived, with why; the plain file is always left in place.
    public var failures: [LedgerError] = []
    /// Whether this was a dry run (nothing on disk changed).
    public var dryRun = false
    /// Whether the run stopped early because it was asked to.
    public var stopped = false

    public init() {}

    /// Bytes of plain files archived.
    public var bytesIn: Int64 { archived.reduce(0) { $0 + $1.bytesIn } }
    /// Compressed bytes written.
    public var bytesOut: Int64 { archived.reduce(0) { $0 + $1.bytesOut } }
}
