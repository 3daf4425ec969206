import LedgerStore
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `FileSystem.status`: what the day-file writers check between appends, read without the file's times.
@Suite struct FileStatusTests {
    /// The same size, links, device, inode and mode as `fstat` and `lstat` give.
    @Test func agreesWithStat() throws {
        let dir = try TemporaryDirectory(prefix: "agent-ledger-status")
        defer { dir.remove() }
        let path = dir.join("a.jsonl")
        let fd = try FileSystem.openForAppend(path)
        defer { close(fd) }
        let line = Array("{\"n\":1}\n".utf8)
        #expect(line.withUnsafeBytes { FileSystem.writeAll(fd, $0).errno } == nil)
        #expect(link(path, dir.join("b.jsonl")) == 0)

        var st = stat()
        #expect(fstat(fd, &st) == 0)
        let open = try #require(FileSystem.status(of: fd))
        #expect(open.size == Int64(line.count))
        #expect(open.links == 2)
        #expect(open.size == Int64(st.st_size) && open.links == UInt64(st.st_nlink))
        #expect(open.device == UInt64(st.st_dev) && open.inode == UInt64(st.st_ino))
        #expect(open.mode == UInt32(st.st_mode) && open.isRegularFile)

        let named = try #require(FileSystem.status(atPath: path))
        #expect(named == open)
    }

    /// A removed file still open has no links; a removed path has no status.
    @Test func aRemovedFileHasNoLinksLeft() throws {
        let dir = try TemporaryDirectory(prefix: "agent-ledger-status")
        defer { dir.remove() }
        let path = dir.join("a.jsonl")
        let fd = try FileSystem.openForAppend(path)
        defer { close(fd) }
        #expect(FileSystem.isStillAtPath(fd, path))
        #expect(unlink(path) == 0)
        #expect(FileSystem.status(of: fd)?.links == 0)
        #expect(FileSystem.status(atPath: path) == nil)
        #expect(!FileSystem.isStillAtPath(fd, path))
    }

    /// A symlink is looked at, not followed; a file replaced at its path is no longer the open one.
    @Test func aSymlinkIsNotFollowedAndAReplacedFileIsSeen() throws {
        let dir = try TemporaryDirectory(prefix: "agent-ledger-status")
        defer { dir.remove() }
        let path = dir.join("a.jsonl")
        let fd = try FileSystem.openForAppend(path)
        defer { close(fd) }
        #expect(symlink(path, dir.join("link")) == 0)
        let linked = try #require(FileSystem.status(atPath: dir.join("link")))
        #expect(!linked.isRegularFile)
        #expect(linked.mode & UInt32(S_IFMT) == UInt32(S_IFLNK))
        #expect(!FileSystem.isStillAtPath(fd, dir.join("link")))

        #expect(rename(path, dir.join("aside.jsonl")) == 0)
        close(try FileSystem.openForAppend(path))
        #expect(FileSystem.status(of: fd)?.links == 1)
        #expect(!FileSystem.isStillAtPath(fd, path))
        #expect(FileSystem.isStillAtPath(fd, dir.join("aside.jsonl")))
    }
}
