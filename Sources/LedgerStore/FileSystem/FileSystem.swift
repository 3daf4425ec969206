import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LedgerError.Code {
    /// The disk is full (ENOSPC, EDQUOT).
    public static let diskFull = LedgerError.Code("disk_full")
    /// A symlink was found where the ledger creates a file or folder.
    public static let symlinkRefused = LedgerError.Code("symlink_refused")
}

/// The small set of file system calls the ledger makes, with errors as ``LedgerError`` values.
///
/// Files are created `0644` and folders `0755` (less the umask): only the owner can write.
/// Nothing here follows a symlink where it creates something.
public enum FileSystem {
    /// An error for a failed call, with the errno's text as the cause.
    public static func error(_ what: String, path: String, errno code: Int32) -> LedgerError {
        let reason = String(cString: strerror(code))
        let kind: LedgerError.Code =
            switch code {
            case ENOSPC, EDQUOT: .diskFull
            case ELOOP: .symlinkRefused
            case ENOENT: .notFound
            default: .io
            }
        return LedgerError(kind, "cannot \(what) \(path)", cause: reason, errno: code)
    }

    /// Makes `path` and its missing parents. An existing symlink anywhere in the created part is refused.
    public static func makeDirectories(_ path: String) throws(LedgerError) {
        var st = stat()
        if lstat(path, &st) == 0 {
            if st.st_mode & S_IFMT == S_IFDIR { return }
            if st.st_mode & S_IFMT == S_IFLNK {
                // A symlinked folder that the user made (the root itself, say) is fine; check where it goes.
                if stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { return }
            }
            throw LedgerError(.io, "cannot create folder \(path): something else is in the way")
        }
        let parent = parentPath(path)
        if parent != path && !parent.isEmpty {
            try makeDirectories(parent)
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw error("create folder", path: path, errno: errno)
        }
    }

    /// The folder part of a path (`a/b` for `a/b/c`, `/` for `/c`, `.` for `c`).
    public static func parentPath(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return "." }
        if slash == p.startIndex { return "/" }
        return String(p[..<slash])
    }

    /// The last part of a path.
    public static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Opens `path` for appending, creating it if missing; never through a symlink.
    public static func openForAppend(_ path: String) throws(LedgerError) -> Int32 {
        // Read access too, so the last byte can be checked for a torn tail.
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP {
                throw LedgerError(
                    .symlinkRefused,
                    "refusing to append to \(path): it is a symlink; remove it so the ledger can create the file",
                    errno: code
                )
            }
            throw error("open", path: path, errno: code)
        }
        return fd
    }

    /// Writes all of `bytes` at the file's append position, retrying on EINTR.
    ///
    /// - Returns: how many bytes were written before an error, if one happened, with the error.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, errno: Int32?) {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return (done, errno)
            }
            if n == 0 { return (done, EIO) }
            done += n
        }
        return (done, nil)
    }

    /// Flushes a file's data to the disk.
    public static func sync(_ fd: Int32, path: String) throws(LedgerError) {
        if fsync(fd) != 0 { throw error("fsync", path: path, errno: errno) }
    }

    /// Flushes a folder's entries (after a rename or a create) to the disk.
    public static func syncDirectory(_ path: String) throws(LedgerError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw error("open folder", path: path, errno: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 && errno != EINVAL { throw error("fsync folder", path: path, errno: errno) }
    }

    /// Whether something exists at `path` (a symlink counts, even a dangling one).
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Whether `path` is a folder.
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    /// The size of a regular file, or `nil` if it does not exist.
    public static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    /// The names in a folder, sorted; empty if it does not exist.
    public static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Reads a whole (small) file. For ledger files use the streaming readers.
    public static func readFile(_ path: String) throws(LedgerError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error("open", path: path, errno: errno) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw error("read", path: path, errno: errno)
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// Replaces `path` atomically with `bytes`: a temporary file in the same folder, created with
    /// `O_EXCL` and never through a symlink, is written, fsynced and renamed over `path`, then the
    /// folder is fsynced. Readers see the old file or the new one, never a part.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(LedgerError) {
        let dir = parentPath(path)
        try makeDirectories(dir)
        var fd: Int32 = -1
        var tmp = ""
        for _ in 0..<16 {
            tmp = "\(dir)/.\(baseName(path)).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw error("create temporary file", path: tmp, errno: errno) }
        var failure: LedgerError?
        let result = bytes.withUnsafeBytes { writeAll(fd, $0) }
        if let code = result.errno {
            failure = error("write", path: tmp, errno: code)
        } else if fsync(fd) != 0 {
            failure = error("fsync", path: tmp, errno: errno)
        }
        close(fd)
        if failure == nil, rename(tmp, path) != 0 {
            failure = error("rename into place", path: path, errno: errno)
        }
        if let failure {
            unlink(tmp)
            throw failure
        }
        try syncDirectory(dir)
    }

    /// Removes a file; a missing file is not an error.
    public static func remove(_ path: String) throws(LedgerError) {
        if unlink(path) != 0 && errno != ENOENT { throw error("remove", path: path, errno: errno) }
    }
}
