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
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var filled = 0
        var stop = false
        while !stop {
            if filled == buffer.count {
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
            let n = buffer.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + filled, raw.count - filled)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystem.error("read", path: path, errno: errno)
            }
            if n == 0 {
                if filled > 0 {
                    _ = buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<filled])) }
                }
                return
            }
            filled += n
            var consumed = 0
            buffer.withUnsafeBytes { raw in
                var start = 0
                for i in 0..<filled where raw[i] == UInt8(ascii: "\n") {
                    if !body(UnsafeRawBufferPointer(rebasing: raw[start..<i])) {
                        stop = true
                        break
                    }
                    start = i + 1
                }
                consumed = start
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    raw.baseAddress!.copyMemory(from: raw.baseAddress! + consumed, byteCount: filled - consumed)
                }
                filled -= consumed
            }
        }
    }
}
