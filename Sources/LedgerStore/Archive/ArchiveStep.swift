/// The steps of archiving one day file, in order. After each, a crash leaves the plain file or a
/// verified archive (or both), never neither; the next run finishes or rolls back what it finds.
public enum ArchiveStep: String, Sendable, Hashable, CaseIterable {
    /// Part of the compressed bytes are in `….jsonl.gz.tmp`.
    case partlyWritten = "partly-written"
    /// The whole archive is in the temporary file, not yet fsynced.
    case written
    /// The temporary file is fsynced.
    case synced
    /// The temporary file decompressed to the source's length and CRC-32.
    case verified
    /// The temporary file is renamed to `….jsonl.gz`.
    case renamed
    /// The folder is fsynced, so the rename is on disk.
    case folderSynced = "folder-synced"
    /// The plain file is removed.
    case removed
}
