import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Output for people on a terminal, plain text when piped.
enum Terminal {
    static let isInteractive = isatty(1) == 1
    static let useColor = isInteractive && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    static let stderrIsTerminal = isatty(2) == 1

    static func printError(_ message: String) {
        let line = "agent-ledger: error: \(message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func printStderr(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Says on stderr how many lines a read skipped because they do not parse (stdout stays clean
    /// for scripts). A sealed torn tail, left by a crash mid-write, is one such line.
    static func warnMalformed(_ count: Int, in place: String) {
        guard count > 0 else { return }
        printStderr(
            "agent-ledger: warning: skipped \(count) malformed line\(count == 1 ? "" : "s") in \(place) (a torn tail sealed after a crash, or text that is not a ledger event)"
        )
    }

    /// Rewrites the current line on stderr (for progress), only on a terminal.
    static func progress(_ line: String) {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
    }

    static func endProgress() {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    static func color(_ text: String, _ code: String) -> String {
        useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Left-aligned columns with two spaces between them.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        var widths = Array(repeating: 0, count: header.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        return all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            .joined(separator: "  ")
        }
        .joined(separator: "\n")
    }

    /// `3s`, `4m`, `2h`, `5d`.
    static func age(_ seconds: Double) -> String {
        if seconds < 0 { return "0s" }
        if seconds < 60 { return "\(Int(seconds))s" }
        if seconds < 3600 { return "\(Int(seconds / 60))m" }
        if seconds < 86400 { return "\(Int(seconds / 3600))h" }
        return "\(Int(seconds / 86400))d"
    }

    /// `1.53M`, `820k`.
    static func count(_ n: Double) -> String {
        if n >= 1e6 { return String(format: "%.2fM", n / 1e6) }
        if n >= 1e4 { return String(format: "%.0fk", n / 1e3) }
        return String(format: "%.0f", n)
    }
}
