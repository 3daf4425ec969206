/// A seam for faults that a real disk cannot be made to produce on demand (an `EIO` in the middle
/// of a write). Production code passes none; tests pass one to check that the supervisor copes.
public protocol WriteFaults: Sendable {
    /// An errno to fail the next write to `path` with, or `nil` to let it through.
    ///
    /// - Parameter bytes: how many bytes the write would append.
    /// - Returns: the errno, and how many bytes to let through before it (a short write).
    func fault(path: String, bytes: Int) -> (errno: Int32, writtenFirst: Int)?
}
