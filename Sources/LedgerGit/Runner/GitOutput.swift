/// What one finished git command left behind.
public struct GitOutput: Sendable, Hashable {
    /// The exit status; 0 is success. A git killed by a signal reports 128 + the signal number.
    public var status: Int32
    /// Everything git wrote to standard output, unchanged.
    public var stdout: [UInt8]
    /// Everything git wrote to standard error, as text.
    public var stderr: String

    public init(status: Int32, stdout: [UInt8], stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Whether git exited with status 0.
    public var succeeded: Bool { status == 0 }

    /// Standard output as text without the trailing newline(s), the usual shape of a one-value answer.
    public var text: String {
        var end = stdout.count
        while end > 0, stdout[end - 1] == UInt8(ascii: "\n") || stdout[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: stdout[0..<end], as: UTF8.self)
    }

    /// Standard output split into lines, without empty ones.
    public var lines: [Substring] {
        let t = text
        return t.split(separator: "\n", omittingEmptySubsequences: true)
    }
}
