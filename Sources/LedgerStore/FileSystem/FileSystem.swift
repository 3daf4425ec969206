import CFileStatus
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
    /// Another process held a file's lock for longer than the ledger waits.
    public static let locked = LedgerError.Code("locked")
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

    /// Makes `path` and its missing parents below `root`, refusing a symlink anywhere below `root`
    /// (see ``openDirectory(_:under:)``).
    public static func makeDirectories(_ path: String, under root: String) throws(LedgerError) {
        close(try openDirectory(path, under: root))
    }

    /// What the ledger checks of a file between appends: its size, links and identity, not its times.
    public struct Status: Equatable, Sendable {
        public var size: Int64
        public var links: UInt64
        public var device: UInt64
        public var inode: UInt64
        public var mode: UInt32

        public var isRegularFile: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    }

    /// The status of an open file, or `nil` when it cannot be read.
    ///
    /// The file's times are not asked for: on Linux 6.13 and later a query of a file's change time
    /// makes its next write take a fine-grained time, which on ext4 dirties the inode on every append
    /// that follows (about 1 µs per append here). `fstat` asks for them; this does not.
    @inline(__always)
    public static func status(of fd: Int32) -> Status? {
        var raw = ledger_file_status()
        guard ledger_fd_status(fd, &raw) == 0 else { return nil }
        return Status(raw)
    }

    /// The status of the file at `path` itself (a symlink is not followed), or `nil` when there is none.
    public static func status(atPath path: String) -> Status? {
        var raw = ledger_file_status()
        guard ledger_path_status(path, &raw) == 0 else { return nil }
        return Status(raw)
    }

    /// Whether the open descriptor `fd` is still the file at `path`: it has links left and `path` names
    /// it (not removed, renamed away or replaced).
    public static func isStillAtPath(_ fd: Int32, _ path: String) -> Bool {
        guard let open = status(of: fd), open.links > 0, let named = status(atPath: path) else { return false }
        return open.device == named.device && open.inode == named.inode
    }

    /// Whether `path` is a folder reached from `root` through real folders only: no symlink anywhere
    /// below `root`. Makes nothing. For finding the folders to read or archive, so that a symlink
    /// planted inside the root never leads the ledger to files outside it.
    public static func isRealDirectory(_ path: String, under root: String) -> Bool {
        guard let fd = try? openDirectory(path, under: root, create: false) else { return false }
        close(fd)
        return true
    }

    /// Opens the folder `path`, which lies under `root`, making what is missing; returns its descriptor.
    ///
    /// `root` is the user's choice and may itself be (or lie behind) a symlink; it is made if missing.
    /// Below it, each folder is opened relative to the one before with `O_NOFOLLOW | O_DIRECTORY`
    /// (`openat`) and made with `mkdirat`: a symlinked folder anywhere on the way is refused, and a
    /// folder swapped for a symlink between the check and the use cannot redirect anything.
    ///
    /// - Parameter create: make what is missing (else a missing folder is an error).
    /// - Throws: `symlink_refused` for a symlink on the way, `io` for a file in the way or a path
    ///   that is not under `root`.
    public static func openDirectory(
        _ path: String,
        under root: String,
        create: Bool = true
    ) throws(LedgerError) -> Int32 {
        let base = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        let relative: Substring
        if path == base {
            relative = ""
        } else if path.hasPrefix(base == "/" ? "/" : base + "/") {
            relative = path.dropFirst(base == "/" ? 1 : base.count + 1)
        } else {
            throw LedgerError(.io, "cannot use \(path): it is not under the ledger root \(base)")
        }
        if create { try makeDirectories(base) }
        var fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw error("open folder", path: base, errno: errno) }
        var walked = base
        for part in relative.split(separator: "/") {
            let name = String(part)
            walked += "/" + name
            if name == "." || name == ".." {
                close(fd)
                throw LedgerError(.io, "cannot use \(path): it climbs out with \"\(name)\"")
            }
            var next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT && create {
                if mkdirat(fd, name, 0o755) != 0 && errno != EEXIST {
                    let code = errno
                    close(fd)
                    throw error("create folder", path: walked, errno: code)
                }
                next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0 {
                let code = errno
                var st = stat()
                let isLink = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mode & S_IFMT == S_IFLNK
                close(fd)
                if isLink || code == ELOOP {
                    throw LedgerError(
                        .symlinkRefused,
                        "refusing to use \(walked): it is a symlink inside the ledger root; remove it so the ledger can make a real folder",
                        errno: ELOOP
                    )
                }
                if code == ENOTDIR {
                    throw LedgerError(.io, "cannot create folder \(walked): a file is in the way", errno: code)
                }
                throw error("open folder", path: walked, errno: code)
            }
            close(fd)
            fd = next
        }
        return fd
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
    ///
    /// - Parameter root: when given (`path` must lie under it), every folder between `root` and the
    ///   file is opened one at a time without following a symlink, and made if missing, so a symlink
    ///   planted anywhere below the root cannot lead the write outside it.
    public static func openForAppend(_ path: String, under root: String? = nil) throws(LedgerError) -> Int32 {
        // Read access too, so the last byte can be checked for a torn tail.
        let flags = O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW
        let fd: Int32
        if let root {
            let dir = try openDirectory(parentPath(path), under: root)
            defer { close(dir) }
            fd = openat(dir, baseName(path), flags, 0o644)
        } else {
            fd = open(path, flags, 0o644)
        }
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

    /// Takes an exclusive `flock` on `fd`, waiting at most `seconds` for another holder to let go.
    ///
    /// The lock is tried without blocking, and again with growing pauses (a yield, then 50 µs
    /// doubling to 1 ms) until the wait is over: a lock held for good (a process stopped in the
    /// middle of its write, a script that locked the file and hung) costs a bounded wait and a clear
    /// error, never a thread blocked for good. An uncontended lock costs the one call, as a blocking
    /// `flock` would.
    ///
    /// - Throws: `locked` when the wait ran out, `io` when `flock` itself failed.
    public static func lock(_ fd: Int32, path: String, waitingAtMost seconds: Double) throws(LedgerError) {
        var tries = 0
        var pause: UInt32 = 50
        var deadline: UInt64 = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK || code == EAGAIN else { throw error("lock", path: path, errno: code) }
            let now = MonotonicClock.nanoseconds()
            if deadline == 0 { deadline = now &+ UInt64(max(0, min(seconds, 86400)) * 1e9) }
            if now >= deadline {
                let shown = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
                throw LedgerError(
                    .locked,
                    "\(path) has been locked by another process for more than \(shown) s: find the holder with `fuser \(path)`, or try again once it lets go",
                    cause: String(cString: strerror(code)),
                    errno: code
                )
            }
            tries += 1
            if tries <= 16 {
                sched_yield()
            } else {
                usleep(pause)
                pause = min(pause * 2, 1000)
            }
        }
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
    ///
    /// - Parameter root: when given (`path` must lie under it), the folders below `root` are opened
    ///   without following symlinks (see ``openDirectory(_:under:)``) and the temporary file is made,
    ///   renamed and synced relative to the folder's descriptor.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, under root: String? = nil) throws(LedgerError)
    {
        let dir = parentPath(path)
        let dirFD: Int32
        if let root {
            dirFD = try openDirectory(dir, under: root)
        } else {
            try makeDirectories(dir)
            dirFD = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard dirFD >= 0 else { throw error("open folder", path: dir, errno: errno) }
        }
        defer { close(dirFD) }
        let name = baseName(path)
        var fd: Int32 = -1
        var tmp = ""
        for _ in 0..<16 {
            tmp = ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
            fd = openat(dirFD, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw error("create temporary file", path: "\(dir)/\(tmp)", errno: errno) }
        var failure: LedgerError?
        let result = bytes.withUnsafeBytes { writeAll(fd, $0) }
        if let code = result.errno {
            failure = error("write", path: "\(dir)/\(tmp)", errno: code)
        } else if fsync(fd) != 0 {
            failure = error("fsync", path: "\(dir)/\(tmp)", errno: errno)
        }
        close(fd)
        if failure == nil, renameat(dirFD, tmp, dirFD, name) != 0 {
            failure = error("rename into place", path: path, errno: errno)
        }
        if let failure {
            unlinkat(dirFD, tmp, 0)
            throw failure
        }
        if fsync(dirFD) != 0 && errno != EINVAL { throw error("fsync folder", path: dir, errno: errno) }
    }

    /// Removes the temporary files that ``writeAtomically(_:to:under:)`` left for `path` in processes
    /// that died between creating one and renaming it (`.<name>.<pid>.<random>.tmp` whose pid is gone).
    ///
    /// Call it where writers of `path` are serialized (under their lock), so a live writer's file is never
    /// taken: a file of a live process is always left alone.
    /// - Returns: how many were removed.
    @discardableResult
    public static func removeAbandonedTemporaryFiles(for path: String) -> Int {
        let dir = parentPath(path)
        let prefix = ".\(baseName(path))."
        var removed = 0
        for name in list(dir) where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let parts = name.dropFirst(prefix.count).dropLast(4).split(separator: ".")
            guard parts.count == 2, let pid = Int32(parts[0]), pid > 0 else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH && unlink("\(dir)/\(name)") == 0 {
                removed += 1
            }
        }
        return removed
    }

    /// Removes a file; a missing file is not an error.
    public static func remove(_ path: String) throws(LedgerError) {
        if unlink(path) != 0 && errno != ENOENT { throw error("remove", path: path, errno: errno) }
    }
}

extension FileSystem.Status {
    @inline(__always)
    init(_ raw: ledger_file_status) {
        self.init(size: raw.size, links: raw.links, device: raw.device, inode: raw.inode, mode: raw.mode)
    }
}
