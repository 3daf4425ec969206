#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds error lines in a command's output (seed 001 §4) and keeps them with a few lines of context.
///
/// Feed it bytes as they arrive, from one or more streams, or whole lines; it splits lines per
/// stream, so a line that arrives in pieces is seen whole. A line matches when it contains one of
/// the patterns (plain text, case-sensitive). Memory is bounded: a line is looked at up to
/// ``Configuration/maxLineBytes``, and the excerpt stops growing at ``Configuration/maxExcerptBytes``.
///
/// ```swift
/// var detector = ErrorDetector()
/// detector.feed(Array("ok\nTraceback (most recent call last):\n".utf8), from: .stderr)
/// detector.finish()
/// detector.detected          // true
/// detector.excerpt           // "ok\nTraceback (most recent call last):\n"
/// ```
///
/// A value type with no locks: one owner feeds it.
public struct ErrorDetector: Sendable {
    /// What counts as an error line and how much is kept.
    public struct Configuration: Sendable, Hashable {
        /// Seed 001's patterns: `ERROR`, `FAIL`, `Exception`, `Traceback`.
        public static let defaultPatterns = ["ERROR", "FAIL", "Exception", "Traceback"]

        /// Plain text that marks an error line when a line contains it. Default ``defaultPatterns``.
        public var patterns: [String]
        /// Lines kept before and after each matching line. Default 2.
        public var contextLines: Int
        /// The largest excerpt, in bytes; what comes after is cut and ``ErrorDetector/truncated`` is set.
        /// Default 4,096.
        public var maxExcerptBytes: Int
        /// The longest line looked at, in bytes; the rest of a longer line is ignored. Default 4,096.
        public var maxLineBytes: Int
        /// Lines of stderr kept as the excerpt of a command that failed without a matching line. Default 5.
        public var tailLines: Int

        public init(
            patterns: [String] = defaultPatterns,
            contextLines: Int = 2,
            maxExcerptBytes: Int = 4096,
            maxLineBytes: Int = 4096,
            tailLines: Int = 5
        ) {
            self.patterns = patterns
            self.contextLines = max(0, contextLines)
            self.maxExcerptBytes = max(64, maxExcerptBytes)
            self.maxLineBytes = max(16, maxLineBytes)
            self.tailLines = max(0, tailLines)
        }
    }

    /// Which output a line came from.
    public enum Source: Sendable, Hashable {
        case stdout
        case stderr
    }

    public let configuration: Configuration
    /// The non-empty patterns, as text and as bytes.
    private let patterns: [(text: String, bytes: [UInt8])]

    /// How many lines matched a pattern.
    public private(set) var matchCount = 0
    /// The patterns that matched, in the order they first matched.
    public private(set) var matchedPatterns: [String] = []
    /// The first matching line (without its newline), as text.
    public private(set) var firstMatch: String?
    /// Whether the excerpt was cut at ``Configuration/maxExcerptBytes``.
    public private(set) var truncated = false
    /// How many lines were seen.
    public private(set) var lineCount = 0

    private var captured: [UInt8] = []
    private var lastCapturedLine = -1
    private var afterRemaining = 0
    /// The last `contextLines` lines of either stream, with their numbers.
    private var recent: LineRing
    /// The last `tailLines` lines of stderr.
    private var stderrTail: LineRing
    private var partialOut: [UInt8] = []
    private var partialErr: [UInt8] = []

    /// A detector with seed 001's patterns, or the configuration given.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        patterns = configuration.patterns.filter { !$0.isEmpty }.map { ($0, Array($0.utf8)) }
        recent = LineRing(capacity: configuration.contextLines)
        stderrTail = LineRing(capacity: configuration.tailLines)
    }

    /// Whether any line matched.
    public var detected: Bool { matchCount > 0 }

    /// The matching lines with their context, in the order they arrived, then the last lines of
    /// stderr not already in it (where a Python traceback names its exception); `…` marks a gap.
    /// With no match, just the last lines of stderr (what a failed command said last).
    public var excerpt: String {
        var out = detected ? captured : []
        guard !truncated else { return String(decoding: out, as: UTF8.self) }
        let last = detected ? lastCapturedLine : -1
        // The latest lines that fit, counted from the end.
        var tail: [(number: Int, bytes: [UInt8])] = []
        var size = 0
        for entry in stderrTail.ordered.reversed() where entry.number > last {
            let cost = entry.bytes.count + 1 + 4  // "\n", and room for a "…\n" marker
            if out.count + size + cost > configuration.maxExcerptBytes { break }
            tail.insert(entry, at: 0)
            size += cost
        }
        var previous = last
        for (number, line) in tail {
            if !out.isEmpty && number > previous + 1 { out += Array("…\n".utf8) }
            out += line
            out.append(UInt8(ascii: "\n"))
            previous = number
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Looks at output bytes as they arrive; a line is looked at once its `\n` arrives (or at ``finish()``).
    public mutating func feed(_ bytes: some Collection<UInt8>, from source: Source) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { feed(UnsafeRawBufferPointer($0), from: source) }
        if done == nil { Array(bytes).withUnsafeBytes { feed($0, from: source) } }
    }

    /// Looks at output bytes as they arrive, without copying whole lines.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, from source: Source) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        while start < bytes.count {
            guard let newline = memchr(base + start, 0x0A, bytes.count - start) else {
                take(UnsafeRawBufferPointer(rebasing: bytes[start...]), from: source, complete: false)
                return
            }
            let end = base.distance(to: UnsafeRawPointer(newline))
            take(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), from: source, complete: true)
            start = end + 1
        }
    }

    /// Looks at what is left of lines that never got their `\n`. Call once the streams have ended.
    public mutating func finish() {
        for source in [Source.stdout, .stderr] {
            let line = source == .stdout ? partialOut : partialErr
            guard !line.isEmpty else { continue }
            if source == .stdout { partialOut = [] } else { partialErr = [] }
            line.withUnsafeBytes { process($0, from: source) }
        }
    }

    /// Looks at one whole line (without its `\n`).
    public mutating func observe(line: String, from source: Source = .stdout) {
        observe(line: Array(line.utf8), from: source)
    }

    /// Looks at one whole line of bytes (without its `\n`).
    public mutating func observe(line: [UInt8], from source: Source) {
        line.withUnsafeBytes { process($0, from: source) }
    }

    /// Looks at every line of a sequence and returns the detector, for output already in hand.
    public static func scan(
        lines: some Sequence<String>,
        configuration: Configuration = Configuration()
    ) -> ErrorDetector {
        var d = ErrorDetector(configuration: configuration)
        for line in lines { d.observe(line: line) }
        return d
    }

    private mutating func take(_ piece: UnsafeRawBufferPointer, from source: Source, complete: Bool) {
        let pending = source == .stdout ? partialOut.count : partialErr.count
        if pending == 0 && complete {
            process(piece, from: source)
            return
        }
        let room = max(0, configuration.maxLineBytes - pending)
        let kept = UnsafeRawBufferPointer(rebasing: piece[..<min(room, piece.count)])
        if source == .stdout { partialOut.append(contentsOf: kept) } else { partialErr.append(contentsOf: kept) }
        guard complete else { return }
        var line: [UInt8] = []
        if source == .stdout { swap(&line, &partialOut) } else { swap(&line, &partialErr) }
        line.withUnsafeBytes { process($0, from: source) }
        line.removeAll(keepingCapacity: true)
        if source == .stdout { swap(&line, &partialOut) } else { swap(&line, &partialErr) }
    }

    private mutating func process(_ raw: UnsafeRawBufferPointer, from source: Source) {
        var length = min(raw.count, configuration.maxLineBytes)
        if length > 0 && raw[length - 1] == UInt8(ascii: "\r") { length -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: raw[..<length])
        let number = lineCount
        lineCount += 1

        var matched = false
        for pattern in patterns where Self.contains(line, pattern.bytes) {
            matched = true
            if !matchedPatterns.contains(pattern.text) { matchedPatterns.append(pattern.text) }
        }
        if matched {
            matchCount += 1
            if firstMatch == nil { firstMatch = String(decoding: line, as: UTF8.self) }
            let before = recent.ordered.filter { $0.number > lastCapturedLine }
            // Mark a gap between two parts of the excerpt.
            if !captured.isEmpty && (before.first?.number ?? number) > lastCapturedLine + 1 {
                Array("…".utf8).withUnsafeBytes { capture($0) }
            }
            for b in before { b.bytes.withUnsafeBytes { capture($0) } }
            capture(line)
            lastCapturedLine = number
            afterRemaining = configuration.contextLines
        } else if afterRemaining > 0 {
            afterRemaining -= 1
            capture(line)
            lastCapturedLine = number
        }
        recent.push(number, line)
        if source == .stderr { stderrTail.push(number, line) }
    }

    /// Appends a line to the excerpt, cutting at the size cap on a UTF-8 boundary.
    private mutating func capture(_ line: UnsafeRawBufferPointer) {
        guard !truncated else { return }
        let room = configuration.maxExcerptBytes - captured.count
        if line.count + 1 <= room {
            captured.append(contentsOf: line)
            captured.append(UInt8(ascii: "\n"))
            return
        }
        var cut = max(0, room - 4)  // leaves room for "…" (3 bytes) and "\n"
        while cut > 0 && cut < line.count && line[cut] & 0xC0 == 0x80 { cut -= 1 }
        captured.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[..<min(cut, line.count)]))
        captured.append(contentsOf: Array("…\n".utf8).prefix(max(0, configuration.maxExcerptBytes - captured.count)))
        truncated = true
    }

    /// Whether `needle` occurs in `haystack`: `memchr` for its first byte, then `memcmp`.
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count, let base = haystack.baseAddress else { return false }
        let last = haystack.count - needle.count
        return needle.withUnsafeBytes { n -> Bool in
            var i = 0
            while i <= last {
                guard let hit = memchr(base + i, Int32(n[0]), last - i + 1) else { return false }
                let at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, n.baseAddress!, n.count) == 0 { return true }
                i = at + 1
            }
            return false
        }
    }
}

/// The last few lines seen, in a ring that reuses its buffers.
private struct LineRing: Sendable {
    private var lines: [[UInt8]]
    private var numbers: [Int]
    private var next = 0
    private var count = 0

    init(capacity: Int) {
        lines = Array(repeating: [], count: capacity)
        numbers = Array(repeating: -1, count: capacity)
    }

    mutating func push(_ number: Int, _ line: UnsafeRawBufferPointer) {
        guard !lines.isEmpty else { return }
        lines[next].removeAll(keepingCapacity: true)
        lines[next].append(contentsOf: line)
        numbers[next] = number
        next = (next + 1) % lines.count
        count = min(count + 1, lines.count)
    }

    /// Oldest first.
    var ordered: [(number: Int, bytes: [UInt8])] {
        (0..<count).map { k in
            let slot = (next - count + k + lines.count) % lines.count
            return (numbers[slot], lines[slot])
        }
    }
}
