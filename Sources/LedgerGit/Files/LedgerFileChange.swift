public import LedgerCore

/// One change to a file on the ledger branch, for ``GitLedger/commitFiles(_:message:)``.
///
/// ```swift
/// try await ledger.commitFiles(
///     [.append(Array("{\"id\":\"msg_1\"}\n".utf8), to: "chat/threads/general/messages.jsonl"),
///      .ensureLine("*.jsonl merge=union", in: ".gitattributes")],
///     message: "chat: message msg_1"
/// )
/// ```
public struct LedgerFileChange: Sendable, Hashable {
    /// What to do to the file.
    public enum Action: Sendable, Hashable {
        /// Append these bytes, creating the file when missing.
        case append([UInt8])
        /// Create the file with these bytes; fails with ``LedgerError/Code/fileExists`` when it exists.
        case create([UInt8])
        /// Write the file with these bytes, whether it exists or not.
        case replace([UInt8])
        /// Add this line (and a line break) unless the file already has it as a whole line.
        case ensureLine(String)
    }

    /// The file's path relative to the ledger worktree, `/`-separated: `chat/threads/<id>/thread.json`.
    public var path: String
    /// What to do to it.
    public var action: Action

    public init(path: String, action: Action) {
        self.path = path
        self.action = action
    }

    /// Appends `bytes` to the file at `path`, creating it when missing.
    public static func append(_ bytes: [UInt8], to path: String) -> Self { Self(path: path, action: .append(bytes)) }
    /// Creates the file at `path`; the commit fails if it exists.
    public static func create(_ bytes: [UInt8], at path: String) -> Self { Self(path: path, action: .create(bytes)) }
    /// Writes the file at `path`, whether it exists or not.
    public static func replace(_ bytes: [UInt8], at path: String) -> Self { Self(path: path, action: .replace(bytes)) }
    /// Adds `line` to the file at `path` unless it has it already.
    public static func ensureLine(_ line: String, in path: String) -> Self {
        Self(path: path, action: .ensureLine(line))
    }

    /// The rule for paths, as people read it.
    public static let pathRule =
        "a relative path of names separated by /, without empty, \".\", \"..\" or \".git\" parts, at most 512 bytes"

    /// Throws ``LedgerError/Code/invalidField`` unless `path` is a safe relative path inside the worktree:
    /// no leading `/`, no empty, `.` or `..` part, no `.git` part, no control characters or backslashes.
    public static func validate(path: String) throws(LedgerError) {
        let bytes = Array(path.utf8)
        var ok = !bytes.isEmpty && bytes.count <= 512 && bytes.first != UInt8(ascii: "/")
        ok = ok && !bytes.contains { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }
        if ok {
            for part in path.split(separator: "/", omittingEmptySubsequences: false) {
                if part.isEmpty || part == "." || part == ".." || part.lowercased() == ".git" {
                    ok = false
                    break
                }
            }
        }
        guard ok else {
            throw LedgerError(
                .invalidField,
                "ledger file path \(Identifiers.quoted(path)) is invalid: use \(pathRule)"
            )
        }
    }
}
