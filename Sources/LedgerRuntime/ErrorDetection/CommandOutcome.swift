import LedgerCore

/// What a watched command did: the input of an `agent.error` event and of the agent's command chronicle.
///
/// ```swift
/// var detector = ErrorDetector()
/// detector.observe(line: "Traceback (most recent call last):", from: .stderr)
/// let outcome = CommandOutcome(arguments: ["npm", "run", "build"], exitCode: 1, detector: detector,
///                              resolution: "npm install")
/// outcome.isError                 // true
/// outcome.narrative(agent: "build")
/// // build ran `npm run build`; it failed with exit code 1 after printing "Traceback (most recent call last):"; resolution: npm install
/// ```
public struct CommandOutcome: Sendable {
    /// The command and its arguments, as run.
    public var arguments: [String]
    /// The exit code; 128 + the signal number when a signal ended the command, 127 when it could not start.
    public var exitCode: Int32
    /// The signal that ended the command, if one did.
    public var signal: Int32?
    /// What was found in its output.
    public var detector: ErrorDetector
    /// What fixed it, when the caller knows.
    public var resolution: String?
    /// How long it ran, in seconds.
    public var durationSeconds: Double?

    public init(
        arguments: [String],
        exitCode: Int32,
        signal: Int32? = nil,
        detector: ErrorDetector,
        resolution: String? = nil,
        durationSeconds: Double? = nil
    ) {
        self.arguments = arguments
        self.exitCode = exitCode
        self.signal = signal
        self.detector = detector
        self.resolution = resolution
        self.durationSeconds = durationSeconds
    }

    /// The command as one shell line (`npm run build`).
    public var command: String { ShellQuoting.join(arguments) }

    /// Whether it deserves an `agent.error`: a non-zero exit or a line that matched.
    public var isError: Bool { exitCode != 0 || detector.detected }

    /// Seed 001's narrative sentence for the command chronicle.
    public func narrative(agent: String) -> String {
        var s = "\(agent) ran `\(command)`; "
        let printed = detector.firstMatch.map { "\"\(Self.shorten($0))\"" }
        if let signal {
            s += "it was ended by signal \(signal)"
            if let printed { s += " after printing \(printed)" }
        } else if exitCode != 0 {
            s += "it failed with exit code \(exitCode)"
            if let printed { s += " after printing \(printed)" }
        } else {
            s += "it exited 0 but printed \(printed ?? "nothing")"
        }
        if detector.matchCount > 1 { s += " (\(detector.matchCount) matching lines)" }
        if let resolution, !resolution.isEmpty { s += "; resolution: \(resolution)" }
        return s
    }

    /// Seed 001's payload: `command`, `stderr` (the matching lines with context, capped), `exit_code`,
    /// `resolution` when given, then what else is known (`signal`, `patterns`, `matches`, `truncated`,
    /// `duration_sec`).
    public var payload: JSONObject {
        var o = JSONObject()
        o.appendUnchecked("command", .string(command))
        o.appendUnchecked("stderr", .string(detector.excerpt))
        o.appendUnchecked("exit_code", .int(Int64(exitCode)))
        if let resolution { o.appendUnchecked("resolution", .string(resolution)) }
        if let signal { o.appendUnchecked("signal", .int(Int64(signal))) }
        o.appendUnchecked("patterns", .array(detector.matchedPatterns.map { .string($0) }))
        o.appendUnchecked("matches", .int(Int64(detector.matchCount)))
        if detector.truncated { o.appendUnchecked("truncated", .bool(true)) }
        if let durationSeconds {
            o.appendUnchecked("duration_sec", .double((durationSeconds * 1000).rounded() / 1000))
        }
        return o
    }

    /// The `agent.error` event, stamped now by `encoder` (id, offset, context) so that the ledger's
    /// line and the chronicle's line carry the same id.
    public func event(
        agent: String,
        sessionID: String? = nil,
        source: String = "agent-ledger-exec",
        encoder: EventEncoder
    ) -> LedgerEvent {
        var e = encoder.event(
            agent: agent,
            type: "agent.error",
            sessionID: sessionID,
            source: source,
            summary: narrative(agent: agent),
            data: .object(payload)
        )
        encoder.complete(&e)
        return e
    }

    static func shorten(_ line: String) -> String {
        let trimmed = line.trimmingWhitespace
        guard trimmed.count > 120 else { return trimmed }
        return String(trimmed.prefix(119)) + "…"
    }
}
