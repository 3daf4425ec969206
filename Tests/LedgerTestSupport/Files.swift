import LedgerCore
import LedgerStore

#if canImport(Glibc)
import Glibc
#endif

/// Files written the way the ledger's writers write them, for tests that set up a ledger by hand.
public enum TestFiles {
    /// Appends `bytes` to the file at `path`, making it and its folders when missing.
    public static func append(_ bytes: [UInt8], to path: String) throws {
        try FileSystem.makeDirectories(FileSystem.parentPath(path))
        let fd = try FileSystem.openForAppend(path)
        defer { close(fd) }
        if let code = bytes.withUnsafeBytes({ FileSystem.writeAll(fd, $0) }).errno {
            throw TestSupportError("cannot append to \(path): errno \(code)")
        }
    }

    /// Appends each event's line to its agent's day file under `root`.
    public static func append(_ events: [LedgerEvent], root: String) throws {
        let layout = LedgerLayout(root: root)
        for e in events { try append(EventLine.bytes(e), to: layout.dayFile(agent: e.agent, date: e.localDate)) }
    }
}
