import CZlib
import LedgerCore

/// The length and CRC-32 of a run of bytes, as gzip records them for each member.
///
/// Two checksums of consecutive runs combine into the checksum of both (zlib's `crc32_combine`),
/// so an archive of several members can be checked against its parts without reading them twice.
public struct Checksum: Sendable, Hashable, CustomStringConvertible {
    /// How many bytes.
    public var length: Int64 = 0
    /// Their CRC-32.
    public var crc: UInt32 = 0

    public init() {}

    public init(length: Int64, crc: UInt32) {
        self.length = length
        self.crc = crc
    }

    /// Adds the next bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        var rest = bytes
        // zlib takes a 32-bit length: feed huge buffers in parts.
        while rest.count > 0 {
            let n = min(rest.count, 1 << 30)
            crc = UInt32(
                truncatingIfNeeded: crc32(
                    UInt(crc),
                    rest.baseAddress!.assumingMemoryBound(to: Bytef.self),
                    uInt(n)
                )
            )
            length += Int64(n)
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        }
    }

    /// The checksum of these bytes followed by `next`'s.
    public func followed(by next: Checksum) -> Checksum {
        Checksum(
            length: length + next.length,
            crc: UInt32(truncatingIfNeeded: crc32_combine(UInt(crc), UInt(next.crc), off_t(next.length)))
        )
    }

    /// The checksum of a file's bytes, read in 64 KiB chunks.
    public static func ofFile(_ path: String) throws(LedgerError) -> Checksum {
        try of(FileByteSource(path: path))
    }

    /// The checksum of everything a source still has to give.
    public static func of(_ source: any ByteSource) throws(LedgerError) -> Checksum {
        var sum = Checksum()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { return sum }
            sum.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    public var description: String {
        let hex = String(crc, radix: 16)
        return "\(length) bytes, CRC-32 \(String(repeating: "0", count: 8 - hex.count))\(hex)"
    }
}
