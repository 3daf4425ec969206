import CZlib
import LedgerCore

/// Reads a gzip file decompressed, streaming, in chunks: a ``ByteSource`` over the original bytes.
///
/// A file of several members (what appending a member gives, or `cat a.gz b.gz`) is read whole:
/// after each member's end zlib is reset and reading goes on with the next. A file that ends in the
/// middle of a member, has bytes after its last member that are not a member, or fails a member's
/// CRC-32 check is an error, never a silent short read.
///
/// Not thread-safe: one owner at a time.
public final class GzipReader: ByteSource {
    public let path: String
    private let file: FileByteSource
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var inputAtEnd = false
    private var inMember = false
    private var finished = false
    private var sawMember = false
    private let tracksChecksums: Bool
    private var member = Checksum()
    /// The length and CRC-32 of each complete member read so far (when tracking checksums).
    public private(set) var members: [Checksum] = []
    /// The length and CRC-32 of all bytes read so far (when tracking checksums).
    public private(set) var total = Checksum()

    /// Opens `path`.
    ///
    /// - Parameters:
    ///   - tracksChecksums: compute ``members`` and ``total`` as the bytes go by (for verifying an
    ///     archive); readers that only want the lines leave it off.
    /// - Throws: `notFound` or `io` when the file cannot be opened.
    public init(path: String, tracksChecksums: Bool = false) throws(LedgerError) {
        self.path = path
        self.tracksChecksums = tracksChecksums
        file = try FileByteSource(path: path)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(byteCount: 1 << 16, alignment: 16)
        // windowBits 15 + 32: detect the gzip (or zlib) header by itself.
        let rc = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        // On failure `deinit` still runs (every property is set): it frees the buffers, and
        // `inflateEnd` on a stream that never started is a harmless no-op.
        guard rc == Z_OK else {
            throw LedgerError(.io, "cannot start gzip decompression for \(path)", cause: "zlib error \(rc)")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(LedgerError) -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        while true {
            if stream.pointee.avail_in == 0 && !inputAtEnd {
                let n = try file.read(into: input)
                if n == 0 {
                    inputAtEnd = true
                } else {
                    stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_in = uInt(n)
                }
            }
            if stream.pointee.avail_in == 0 && inputAtEnd {
                if inMember {
                    throw LedgerError(
                        .io,
                        "\(path) ends in the middle of a gzip member: the archive is truncated",
                        cause: "\(total.length + member.length) bytes decompressed before the end"
                    )
                }
                guard sawMember else {
                    throw LedgerError(.io, "\(path) is empty: not a gzip file")
                }
                finished = true
                return 0
            }
            inMember = true
            stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(min(buffer.count, Int(UInt32.max >> 1)))
            let before = Int(stream.pointee.avail_out)
            let rc = inflate(stream, Z_NO_FLUSH)
            let produced = before - Int(stream.pointee.avail_out)
            if tracksChecksums && produced > 0 {
                member.update(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<produced]))
            }
            switch rc {
            case Z_STREAM_END:
                if tracksChecksums {
                    members.append(member)
                    total = total.followed(by: member)
                    member = Checksum()
                }
                inMember = false
                sawMember = true
                // More input may follow: the next member.
                inflateReset(stream)
            case Z_OK, Z_BUF_ERROR:
                break
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                throw LedgerError(.io, "\(path) is not a valid gzip file", cause: message)
            }
            if produced > 0 { return produced }
        }
    }

    /// Reads to the end, discarding the bytes: for checking an archive.
    ///
    /// - Returns: the checksum of everything (tracking checksums must be on for a non-zero result).
    @discardableResult
    public func readToEnd() throws(LedgerError) -> Checksum {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while try read(into: buffer) > 0 {}
        return total
    }
}
