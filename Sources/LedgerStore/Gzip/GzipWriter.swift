import CZlib
import LedgerCore

/// Writes one gzip member to an open file, streaming: bytes go in as they come, compressed output
/// goes out in 64 KiB chunks, so memory stays small whatever the input's size.
///
/// Call ``write(_:)`` as often as needed, then ``finish()`` once; the member is complete (header,
/// deflate data, CRC-32 and length trailer) only after `finish`. Appending a member to a file that
/// already holds gzip members gives a multi-member file that `zcat` and ``GzipReader`` read whole.
///
/// Not thread-safe: one owner at a time.
public final class GzipWriter {
    public let path: String
    private let fd: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    private var finished = false
    /// Length and CRC-32 of the bytes given so far.
    public private(set) var input = Checksum()
    /// Compressed bytes written to the file so far.
    public private(set) var written: Int64 = 0

    /// Starts a member on `fd` (written at its current position; the caller keeps and closes it).
    ///
    /// - Parameters:
    ///   - level: zlib's compression level, 1 (fastest) to 9 (smallest); default 6.
    /// - Throws: `io` when zlib cannot start (out of memory).
    public init(fd: Int32, path: String, level: Int32 = 6) throws(LedgerError) {
        self.fd = fd
        self.path = path
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = .allocate(byteCount: Self.chunkSize, alignment: 16)
        // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
        let rc = deflateInit2_(
            stream,
            level,
            Z_DEFLATED,
            15 + 16,
            8,
            Z_DEFAULT_STRATEGY,
            zlibVersion(),
            Int32(MemoryLayout<z_stream>.size)
        )
        // On failure `deinit` still runs (every property is set): it frees the buffers, and
        // `deflateEnd` on a stream that never started is a harmless no-op.
        guard rc == Z_OK else {
            throw LedgerError(.io, "cannot start gzip compression for \(path)", cause: "zlib error \(rc)")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    static let chunkSize = 1 << 16

    /// Compresses the next bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(LedgerError) {
        precondition(!finished, "GzipWriter.write after finish")
        guard bytes.count > 0 else { return }
        input.update(bytes)
        var rest = bytes
        while rest.count > 0 {
            let n = min(rest.count, Int(UInt32.max >> 1))
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: rest.baseAddress!.assumingMemoryBound(to: Bytef.self)
            )
            stream.pointee.avail_in = uInt(n)
            try pump(flush: Z_NO_FLUSH)
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        }
    }

    /// Writes the rest of the deflate stream and the trailer. The writer takes nothing more afterwards.
    public func finish() throws(LedgerError) {
        precondition(!finished, "GzipWriter.finish twice")
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        try pump(flush: Z_FINISH)
        finished = true
    }

    private func pump(flush: Int32) throws(LedgerError) {
        while true {
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let rc = deflate(stream, flush)
            guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
                throw LedgerError(.io, "gzip compression failed for \(path)", cause: "zlib error \(rc)")
            }
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 {
                let result = FileSystem.writeAll(fd, UnsafeRawBufferPointer(rebasing: output[0..<produced]))
                if let code = result.errno { throw FileSystem.error("write", path: path, errno: code) }
                written += Int64(produced)
            }
            if flush == Z_FINISH {
                if rc == Z_STREAM_END { return }
            } else if stream.pointee.avail_out != 0 {
                // All input taken and the output had room to spare: nothing more to write now.
                return
            }
        }
    }
}
