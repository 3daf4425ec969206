import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let systemRead = Glibc.read
private let systemWrite = Glibc.write
private let systemTruncate = Glibc.truncate
#elseif canImport(Darwin)
private let systemRead = Darwin.read
private let systemWrite = Darwin.write
private let systemTruncate = Darwin.truncate
#endif

/// The few plain file operations the git ledger needs, with errors as ``LedgerError`` values.
enum FileIO {
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// The size in bytes of a regular file (symbolic links not followed), or `nil` when there is none.
    static func size(_ path: String) -> Int? {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    /// Cuts a file back to `length` bytes.
    static func truncate(_ path: String, to length: Int) throws(LedgerError) {
        guard systemTruncate(path, off_t(length)) == 0 else { throw error("cannot truncate \(path)") }
    }

    /// Deletes a file; a missing one is not an error.
    static func remove(_ path: String) {
        unlink(path)
    }

    /// The whole file, or `nil` when it does not exist.
    static func readFile(_ path: String) throws(LedgerError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw error("cannot open \(path)")
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw error("cannot read \(path)")
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// Writes `bytes` to a new file beside `path`, then renames it over `path`.
    static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(LedgerError) {
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw error("cannot create \(temporary)") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = error("cannot write \(temporary)")
                close(fd)
                unlink(temporary)
                throw e
            }
            offset += n
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let e = error("cannot rename \(temporary) to \(path)")
            unlink(temporary)
            throw e
        }
    }

    /// Appends `bytes` to `path` in one write, creating it if needed.
    static func append(_ path: String, _ bytes: [UInt8]) throws(LedgerError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw error("cannot open \(path)") }
        defer { close(fd) }
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw error("cannot append to \(path)") }
    }

    /// Creates `path` and any missing parents.
    static func makeDirectories(_ path: String) throws(LedgerError) {
        var current = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/\(component)"
            if mkdir(current, 0o755) != 0, errno != EEXIST {
                throw error("cannot create the folder \(current)")
            }
        }
    }

    /// The canonical absolute path (symbolic links resolved), or `nil` when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The names in a folder, or `nil` when it cannot be read.
    static func entries(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Deletes a run folder's two files and the folder, if it is then empty.
    static func removeRunFiles(_ folder: String) {
        unlink("\(folder)/run.json")
        unlink("\(folder)/events.jsonl")
        rmdir(folder)
    }

    /// Renames `path` to `target` (same file system).
    static func move(_ path: String, to target: String) throws(LedgerError) {
        guard rename(path, target) == 0 else { throw error("cannot move \(path) to \(target)") }
    }

    static func removeEmptyDirectory(_ path: String) -> Bool { rmdir(path) == 0 }

    private static func error(_ message: String) -> LedgerError {
        let e = errno
        return LedgerError(.io, message, cause: String(cString: strerror(e)), errno: e)
    }
}
