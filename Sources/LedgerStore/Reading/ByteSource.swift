import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Something that hands out the next bytes of a file: a plain file, or a gzip file decompressed.
///
/// Readers pull from it in chunks, so no file is ever held whole in memory.
public protocol ByteSource: AnyObject {
    /// Fills the start of `buffer` with the next bytes.
    ///
    /// - Returns: how many bytes were read; 0 only at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LedgerError) -> Int
}

/// The bytes of a plain file, from an offset on.
public final class FileByteSource: ByteSource {
    public let path: String
    let fd: Int32
    private let ownsDescriptor: Bool

    /// Opens `path` for reading.
    public init(path: String) throws(LedgerError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystem.error("open", path: path, errno: errno) }
        self.fd = fd
        self.path = path
        self.ownsDescriptor = true
    }

    /// Reads from an open descriptor, from its current offset on; the caller keeps it and closes it.
    public init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        self.ownsDescriptor = false
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    /// Moves to `offset` bytes from the start.
    public func seek(to offset: Int64) throws(LedgerError) {
        if lseek(fd, off_t(offset), SEEK_SET) < 0 { throw FileSystem.error("seek in", path: path, errno: errno) }
    }

    /// The current offset.
    public var offset: Int64 { Int64(lseek(fd, 0, SEEK_CUR)) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(LedgerError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw FileSystem.error("read", path: path, errno: errno)
        }
    }
}
