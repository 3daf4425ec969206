import LedgerCore
import LedgerStore
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct GzipTests {
    static func ledgerBytes(_ count: Int, agent: String = "cls") -> [UInt8] {
        TestEvents.dayLines(count, agent: agent)
    }

    static func writeMember(_ bytes: [UInt8], fd: Int32, path: String) throws -> Checksum {
        let writer = try GzipWriter(fd: fd, path: path)
        // Feed in uneven pieces, as a streaming source would.
        var i = 0
        var piece = 1
        while i < bytes.count {
            let n = min(piece, bytes.count - i)
            try bytes.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[i..<(i + n)])) }
            i += n
            piece = piece * 3 + 7
        }
        try writer.finish()
        return writer.input
    }

    static func readAll(_ path: String) throws -> (bytes: [UInt8], reader: GzipReader) {
        let reader = try GzipReader(path: path, tracksChecksums: true)
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return (out, reader)
    }

    @Test func aWrittenMemberIsStandardGzipWithTheOriginalBytes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let original = Self.ledgerBytes(4000)
        #expect(original.count > 3 * (1 << 16))
        let path = dir.join("2025-11-16.jsonl.gz")
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(fd >= 0)
        let sum = try Self.writeMember(original, fd: fd, path: path)
        close(fd)
        var expected = Checksum()
        original.withUnsafeBytes { expected.update($0) }
        #expect(sum == expected)
        #expect(try Shell.run(["gzip", "-t", path]).status == 0)
        let zcat = try Shell.run(["sh", "-c", "zcat -- \"$1\" > \"$1.out\"", "sh", path])
        #expect(zcat.status == 0)
        #expect(try Shell.readBytes(path + ".out") == original)
        let (back, reader) = try Self.readAll(path)
        #expect(back == original)
        #expect(reader.members == [expected])
        #expect(reader.total == expected)
        #expect(FileSystem.fileSize(path)! < Int64(original.count) / 4)
    }

    @Test func membersAppendedToOneFileReadBackWhole() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = Self.ledgerBytes(1500)
        let second = Self.ledgerBytes(700, agent: "andy")
        let path = dir.join("multi.jsonl.gz")
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        let a = try Self.writeMember(first, fd: fd, path: path)
        let b = try Self.writeMember(second, fd: fd, path: path)
        close(fd)
        #expect(try Shell.run(["gzip", "-t", path]).status == 0)
        #expect(try Shell.run(["sh", "-c", "zcat -- \"$1\" > \"$1.out\"", "sh", path]).status == 0)
        #expect(try Shell.readBytes(path + ".out") == first + second)
        let (back, reader) = try Self.readAll(path)
        #expect(back == first + second)
        #expect(reader.members == [a, b])
        #expect(reader.total == a.followed(by: b))
        var whole = Checksum()
        (first + second).withUnsafeBytes { whole.update($0) }
        #expect(reader.total == whole)
    }

    @Test func readsMultiMemberFilesMadeByGzip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = Self.ledgerBytes(300)
        let b = Self.ledgerBytes(200, agent: "andy")
        try FileSystem.writeAtomically(a, to: dir.join("a"))
        try FileSystem.writeAtomically(b, to: dir.join("b"))
        let made = try Shell.run([
            "sh", "-c", "gzip -c -- \"$1/a\" > \"$1/ab.gz\" && gzip -c -- \"$1/b\" >> \"$1/ab.gz\"", "sh", dir.path,
        ])
        #expect(made.status == 0)
        let (back, reader) = try Self.readAll(dir.join("ab.gz"))
        #expect(back == a + b)
        #expect(reader.members.count == 2)
        // Lines come out whole across member and chunk boundaries.
        let cursor = LineCursor(try GzipReader(path: dir.join("ab.gz")), chunkSize: 100)
        var count = 0
        while let line = try cursor.nextLine() {
            _ = try EventLine.parse(line)
            count += 1
        }
        #expect(count == 500)
    }

    @Test func truncatedGarbageAndEmptyArchivesAreErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let original = Self.ledgerBytes(800)
        let path = dir.join("whole.gz")
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        _ = try Self.writeMember(original, fd: fd, path: path)
        close(fd)
        let whole = try Shell.readBytes(path)

        try FileSystem.writeAtomically(Array(whole.dropLast(5)), to: dir.join("truncated.gz"))
        try FileSystem.writeAtomically(whole + Array("not gzip".utf8), to: dir.join("garbage.gz"))
        var flipped = whole
        flipped[whole.count / 2] ^= 0xFF
        try FileSystem.writeAtomically(flipped, to: dir.join("flipped.gz"))
        try FileSystem.writeAtomically([], to: dir.join("empty.gz"))
        for name in ["truncated.gz", "garbage.gz", "flipped.gz", "empty.gz"] {
            #expect(throws: LedgerError.self, "\(name)") { _ = try Self.readAll(dir.join(name)) }
        }
    }

    @Test func lineReaderStillHandsOutEveryLineOfAPlainFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // A line longer than the 64 KiB buffer, and a last line without its newline.
        let long = String(repeating: "x", count: 200_000)
        try FileSystem.writeAtomically(Array("a\n\n\(long)\nlast".utf8), to: dir.join("f"))
        var lines: [String] = []
        try LineReader.forEachLine(path: dir.join("f")) { line in
            lines.append(String(decoding: line, as: UTF8.self))
            return true
        }
        #expect(lines == ["a", "", long, "last"])
    }
}
