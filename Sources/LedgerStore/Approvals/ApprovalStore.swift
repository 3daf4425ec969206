import LedgerCore

/// The latest approval preference per integration (seed 001 §6), kept in `state/approvals.json` so
/// that it persists across sessions; every change is also an event in the ledger.
///
/// The file is one JSON object keyed by integration, replaced atomically under a lock shared by
/// processes:
///
/// ```json
/// {"vscode":{"value":"trusted","event":"approval.workspace_trust","ts":"…","id":"01J…","agent":"operator"}}
/// ```
public struct ApprovalStore: Sendable {
    public let layout: LedgerLayout

    /// One integration's latest preference.
    public struct Preference: Sendable, Hashable {
        public var integration: ApprovalIntegration
        public var value: String
        public var ts: String
        /// The id of the event that recorded it.
        public var eventID: String?
        public var agent: String?

        public init(integration: ApprovalIntegration, value: String, ts: String, eventID: String?, agent: String?) {
            self.integration = integration
            self.value = value
            self.ts = ts
            self.eventID = eventID
            self.agent = agent
        }
    }

    /// The longest value accepted, in bytes.
    public static let maxValueBytes = 4096

    public init(layout: LedgerLayout) {
        self.layout = layout
    }

    /// Checks a value before anything is recorded.
    public static func validate(value: String) throws(LedgerError) {
        guard !value.trimmingWhitespace.isEmpty else {
            throw LedgerError(.invalidField, "the approval value is empty: give one, like trusted or on-request")
        }
        try Identifiers.validateText(value, field: "approval value", maxBytes: maxValueBytes)
    }

    /// Records `preference` as the latest of its integration.
    ///
    /// - Returns: the preference it replaced, if any.
    @discardableResult
    public func set(_ preference: Preference) throws(LedgerError) -> Preference? {
        try Self.validate(value: preference.value)
        return try FileLock.withLock(path: "\(layout.stateDirectory)/.approvals.lock") {
            () throws(LedgerError) -> Preference? in
            var all = try read()
            let previous = all[preference.integration]
            all[preference.integration] = preference
            var object = JSONObject()
            for integration in ApprovalIntegration.allCases {
                guard let p = all[integration] else { continue }
                var o = JSONObject()
                o.appendUnchecked("value", .string(p.value))
                o.appendUnchecked("event", .string(integration.eventType))
                o.appendUnchecked("ts", .string(p.ts))
                if let id = p.eventID { o.appendUnchecked("id", .string(id)) }
                if let agent = p.agent { o.appendUnchecked("agent", .string(agent)) }
                object.appendUnchecked(integration.rawValue, .object(o))
            }
            var bytes: [UInt8] = []
            JSONWriter.writeObject(object, into: &bytes)
            bytes.append(UInt8(ascii: "\n"))
            try FileSystem.writeAtomically(bytes, to: layout.approvalsFile)
            return previous
        }
    }

    /// The latest preference of every integration that has one, in the seed's order.
    public func preferences() throws(LedgerError) -> [Preference] {
        let all = try read()
        return ApprovalIntegration.allCases.compactMap { all[$0] }
    }

    private func read() throws(LedgerError) -> [ApprovalIntegration: Preference] {
        let path = layout.approvalsFile
        guard FileSystem.exists(path) else { return [:] }
        let value: JSONValue
        do throws(LedgerError) { value = try JSONParser.parse(try FileSystem.readFile(path)) } catch {
            throw LedgerError(.invalidJSON, "\(path) is not valid JSON (\(error.message)): fix or remove it")
        }
        guard let object = value.objectValue else {
            throw LedgerError(.invalidJSON, "\(path) is not a JSON object: fix or remove it")
        }
        var all: [ApprovalIntegration: Preference] = [:]
        for (key, entry) in object {
            guard let integration = ApprovalIntegration(rawValue: key), let v = entry["value"]?.stringValue else {
                continue
            }
            all[integration] = Preference(
                integration: integration,
                value: v,
                ts: entry["ts"]?.stringValue ?? "",
                eventID: entry["id"]?.stringValue,
                agent: entry["agent"]?.stringValue
            )
        }
        return all
    }
}
