import LedgerCore
import LedgerStore
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Bytes from memory, a few at a time.
final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0
    private let step: Int
    init(_ bytes: [UInt8], step: Int = 777) {
        self.bytes = bytes
        self.step = step
    }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LedgerError) -> Int {
        let n = min(buffer.count, step, bytes.count - offset)
        for i in 0..<n { buffer[i] = bytes[offset + i] }
        offset += n
        return n
    }
}

@Suite struct LineCursorTests {
    private func lines(_ cursor: LineCursor) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        while let line = try cursor.nextLine() { out.append(line) }
        return out
    }

    @Test func aLineOverTheCapIsCutAndTheRestOfItSkipped() throws {
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: 5000)
        let tail = [UInt8](repeating: UInt8(ascii: "b"), count: 3000)
        let bytes = long + [10] + Array("ok".utf8) + [10] + long + long + [10] + Array("{}".utf8) + [10] + tail
        for chunk in [64, 100, 4096] {
            let cursor = LineCursor(MemorySource(bytes), chunkSize: chunk, maxLineBytes: 1024)
            let got = try lines(cursor)
            #expect(got.count == 5)
            #expect(got[0] == Array(long.prefix(1024)))
            #expect(got[1] == Array("ok".utf8))
            #expect(got[2] == Array(long.prefix(1024)))
            #expect(got[3] == Array("{}".utf8))
            #expect(got[4] == Array(tail.prefix(1024)))
            // Every byte is accounted for, skipped ones included: offsets stay right.
            #expect(cursor.consumed == Int64(bytes.count))
        }
    }

    @Test func anUnfinishedLongLineIsLeftForLaterWhenFollowing() throws {
        let bytes = Array("first".utf8) + [10] + [UInt8](repeating: 120, count: 900)
        let cursor = LineCursor(MemorySource(bytes), handsOutUnfinishedLine: false, maxLineBytes: 4096)
        #expect(try lines(cursor) == [Array("first".utf8)])
        #expect(cursor.consumed == 6)
    }

    /// A compressed file of 64 MiB without a newline (a gzip bomb named like a day file) is read
    /// within the cap: one cut line, counted as malformed by the readers.
    @Test func aGzipBombWithoutNewlinesIsReadWithinTheCap() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.join("2025-11-16.jsonl.gz")
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        let writer = try GzipWriter(fd: fd, path: path)
        let zeros = [UInt8](repeating: UInt8(ascii: "z"), count: 1 << 20)
        for _ in 0..<64 { try zeros.withUnsafeBytes { try writer.write($0) } }
        try writer.finish()
        close(fd)
        let cursor = LineCursor(try GzipReader(path: path))
        var count = 0
        var longest = 0
        while let line = try cursor.nextLine() {
            count += 1
            longest = max(longest, line.count)
        }
        #expect(count == 1)
        #expect(longest == LineCursor.defaultMaxLineBytes)
        #expect(cursor.consumed == 64 << 20)
    }
}
