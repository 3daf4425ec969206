import LedgerCore
import LedgerStore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seed 003's one-file ledger (`AGI_LEDGER_PATH=/path/ledger.jsonl`): every event's line is also
/// appended to this file, after it is written to its agent's day file.
final class CompatibilityFile: Sendable {
    let path: String
    let fsync: FsyncPolicy
    private let fd = Mutex<Int32>(-1)
    let failures = Atomic<UInt64>(0)

    init(path: String, fsync: FsyncPolicy) {
        self.path = path
        self.fsync = fsync
    }

    deinit {
        fd.withLock { if $0 >= 0 { close($0) } }
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        let ok = fd.withLock { fd -> Bool in
            if fd < 0 {
                do throws(LedgerError) {
                    try FileSystem.makeDirectories(FileSystem.parentPath(path))
                    fd = try FileSystem.openForAppend(path)
                } catch {
                    return false
                }
            }
            if FileSystem.writeAll(fd, bytes).errno != nil { return false }
            if fsync != .none { _ = Glibc.fsync(fd) }
            return true
        }
        if !ok { failures.add(1, ordering: .relaxed) }
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }
}
