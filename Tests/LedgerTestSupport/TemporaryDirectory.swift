#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh folder under the system's temporary directory, removed by ``remove()``.
///
/// ```swift
/// let dir = try TemporaryDirectory()
/// defer { dir.remove() }
/// ```
public struct TemporaryDirectory: Sendable {
    /// The folder's absolute path, without a trailing slash.
    public let path: String

    public init(prefix: String = "agent-ledger-test") throws {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> Bool in
            mkdtemp(buf.baseAddress!) != nil
        }
        guard made else { throw TestSupportError("mkdtemp failed: errno \(errno)") }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `path` joined with a relative path.
    public func join(_ relative: String) -> String { "\(path)/\(relative)" }

    /// Removes the folder and everything in it.
    public func remove() {
        _ = try? Shell.run(["/bin/rm", "-rf", "--", path])
    }
}

/// A failure inside a test helper.
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
