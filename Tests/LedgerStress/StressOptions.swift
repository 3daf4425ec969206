#if canImport(Glibc)
import Glibc
#endif

/// `--name value` options of a stress mode.
struct StressOptions {
    private var values: [String: String] = [:]

    init(_ arguments: [String]) {
        var i = 0
        while i < arguments.count {
            let name = arguments[i]
            guard name.hasPrefix("--"), i + 1 < arguments.count else {
                Self.fail("expected --name value, got \(name)")
            }
            values[String(name.dropFirst(2))] = arguments[i + 1]
            i += 2
        }
    }

    func string(_ name: String) -> String {
        guard let v = values[name] else { Self.fail("--\(name) is required") }
        return v
    }

    func int(_ name: String, default value: Int) -> Int {
        guard let text = values[name] else { return value }
        guard let v = Int(text) else { Self.fail("--\(name) must be a whole number, got \(text)") }
        return v
    }

    /// Prints a reason on stderr and exits 2.
    static func fail(_ message: String) -> Never {
        writeAll(2, "ledger-stress: \(message)\n")
        exit(2)
    }

    /// Writes a line on stdout, unbuffered, so a parent that kills us right after has every whole line.
    static func say(_ line: String) {
        writeAll(1, line + "\n")
    }

    private static func writeAll(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }
}
