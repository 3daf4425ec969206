/// When the ledger asks the disk to make written lines durable.
public enum FsyncPolicy: String, Sendable, Hashable, CaseIterable {
    /// Never fsync; the kernel writes back in its own time (default, fastest).
    case none
    /// fsync each day file after each batch written to it.
    case batch
    /// fsync after every write, and fsync the folder when a day file is created.
    case always
}
