import LedgerCore
import Logging

/// A swift-log backend that routes `Logger` messages into the ledger, never blocking.
///
/// The logger's label becomes the agent (made into a valid agent id), the level the event type
/// (`log.info`, `log.error`, …; `error` and `critical` also count as `error` for status when
/// `errorsAsEvents` is set), the message the summary, and the metadata the data.
///
/// ```swift
/// LoggingSystem.bootstrap { label in LedgerLogHandler(label: label, ledger: ledger) }
/// Logger(label: "cls").info("task picked", metadata: ["task": "wo-1"])
/// ```
public struct LedgerLogHandler: LogHandler {
    public let ledger: Ledger
    public let agent: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    /// Also record `error` and `critical` messages as `error` events, so the agent's status shows them.
    public var errorsAsEvents: Bool

    public init(label: String, ledger: Ledger, errorsAsEvents: Bool = true) {
        self.ledger = ledger
        self.agent = Self.agentID(from: label)
        self.errorsAsEvents = errorsAsEvents
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var data = JSONObject()
        let merged = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
        for (k, v) in merged.sorted(by: { $0.key < $1.key }) { data.appendUnchecked(k, Self.json(v)) }
        data.appendUnchecked("source_location", .string("\(event.file):\(event.line)"))
        let type = errorsAsEvents && event.level >= .error ? "error" : "log.\(event.level.rawValue)"
        ledger.emit(type, agent: agent, source: event.source, summary: "\(event.message)", data: .object(data))
    }

    /// Lower-cases a label and replaces what an agent id cannot hold with `-` (`MyApp.Worker` → `myapp.worker`).
    public static func agentID(from label: String) -> String {
        var out = ""
        for c in label.lowercased().unicodeScalars.prefix(64) {
            let ok = (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "." || c == "_" || c == "-"
            out.unicodeScalars.append(ok ? c : "-")
        }
        while out.contains("..") { out = out.replacingDoubleDots() }
        if let first = out.unicodeScalars.first, !((first >= "a" && first <= "z") || (first >= "0" && first <= "9")) {
            out = "x" + out.dropFirst()
        }
        return out.isEmpty ? "app" : out
    }

    static func json(_ v: Logger.Metadata.Value) -> JSONValue {
        switch v {
        case .string(let s): .string(s)
        case .stringConvertible(let c): .string(c.description)
        case .array(let a): .array(a.map(json))
        case .dictionary(let d): .object(JSONObject(d.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) }))
        }
    }
}

extension String {
    fileprivate func replacingDoubleDots() -> String {
        var out = ""
        var previousDot = false
        for c in self {
            if c == "." && previousDot { continue }
            previousDot = c == "."
            out.append(c)
        }
        return out
    }
}
