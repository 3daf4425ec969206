public import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the chat passphrase: `CONTENT_VAULT_ENC_KEY` from the environment, else from the repository's
/// `.env` file (the content vault's and the backups' key, seed 004 §1B.4).
///
/// The environment wins, as with every dotenv tool. `.env` is read as `NAME=value` lines: blank lines and
/// `#` comments are skipped, `export ` before the name is allowed, a value in single or double quotes is
/// taken between them, an unquoted value ends before ` #`. An empty value counts as unset.
public struct EncryptionKeySource: Sendable, Hashable {
    /// The variable's name. Default `CONTENT_VAULT_ENC_KEY`.
    public var variable: String
    /// The environment to look in first.
    public var environment: [String: String]

    /// - Parameters:
    ///   - variable: the variable that holds the passphrase.
    ///   - environment: default: the process's environment.
    public init(variable: String = "CONTENT_VAULT_ENC_KEY", environment: [String: String]? = nil) {
        self.variable = variable
        self.environment = environment ?? Self.processEnvironment()
    }

    /// The passphrase, or `nil` when it is set neither in the environment nor in `<folder>/.env`.
    /// - Throws: ``LedgerError/Code/io`` when `.env` exists but cannot be read.
    public func passphrase(inFolder folder: String) throws(LedgerError) -> String? {
        if let value = environment[variable], !value.isEmpty { return value }
        let path = "\(folder)/.env"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return nil }
            throw LedgerError(.io, "cannot open \(path)", cause: String(cString: strerror(e)), errno: e)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 {
                let e = errno
                throw LedgerError(.io, "cannot read \(path)", cause: String(cString: strerror(e)), errno: e)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        let value = Self.value(of: variable, inDotEnv: String(decoding: bytes, as: UTF8.self))
        return value?.isEmpty == false ? value : nil
    }

    /// The value of `name` in the text of a `.env` file (the last assignment wins), or `nil`.
    public static func value(of name: String, inDotEnv text: String) -> String? {
        var found: String?
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(rawLine.trimmingCharacters(" \t\r"))
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = Substring(line.dropFirst("export ".count).trimmingCharacters(" \t")) }
            guard let eq = line.firstIndex(of: "=") else { continue }
            guard line[..<eq].trimmingCharacters(" \t") == name else { continue }
            let rest = Substring(line[line.index(after: eq)...].trimmingCharacters(" \t"))
            if let quote = rest.first, quote == "\"" || quote == "'" {
                let inner = rest.dropFirst()
                found = String(inner[..<(inner.firstIndex(of: quote) ?? inner.endIndex)])
            } else {
                // An unquoted value ends at a `#` that follows a space or tab.
                var end = rest.endIndex
                var previous: Character = "x"
                for i in rest.indices {
                    if rest[i] == "#", previous == " " || previous == "\t" {
                        end = i
                        break
                    }
                    previous = rest[i]
                }
                found = rest[..<end].trimmingCharacters(" \t")
            }
        }
        return found
    }

    private static func processEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let pair = String(cString: entry)
            if let eq = pair.firstIndex(of: "=") {
                env[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            }
            pointer += 1
        }
        return env
    }
}

extension StringProtocol {
    func trimmingCharacters(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
