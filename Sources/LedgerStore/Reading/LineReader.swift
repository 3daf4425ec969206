import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line in 64 KiB chunks, never holding the whole file in memory.
public enum LineReader {
    /// Calls `body` with each line (without its `\n`); a last line without `\n` is passed too.
    /// `body` returns `false` to stop.
    public static func forEachLine(
        path: String,
        _ body: (UnsafeRawBufferPointer) -> Bool
    ) throws(LedgerError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystem.error("open", path: path, errno: errno) }
        defer { close(fd) }
        try forEachLine(fd: fd, path: path, body)
    }

    /// Like ``forEachLine(path:_:)`` on an open descriptor, from its current offset.
    public static func forEachLine(
        fd: Int32,
        path: String,
        _ body: (UnsafeRawBufferPointer) -> Bool
    ) throws(LedgerError) {
        let cursor = LineCursor(FileByteSource(fd: fd, path: path))
        while let more = try cursor.next({ line in body(line) }), more {}
    }
}
