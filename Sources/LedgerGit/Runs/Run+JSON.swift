public import LedgerCore

extension Run {
    /// The run as a JSON object with the seed's keys, in the seed's order.
    public var json: JSONObject {
        var o = JSONObject()
        o.appendUnchecked("run_id", .string(runID))
        o.appendUnchecked("type", .string(type))
        o.appendUnchecked("subtype", .string(subtype))
        o.appendUnchecked("status", .string(status.rawValue))
        o.appendUnchecked("user", .string(user))
        o.appendUnchecked("code_ref", .string(codeRef))
        o.appendUnchecked("started_at", .string(startedAt))
        o.appendUnchecked("ended_at", .string(endedAt))
        o.appendUnchecked("duration_ms", .int(durationMs))
        o.appendUnchecked("environment", .string(environment))
        o.appendUnchecked("modules_affected", .array(modulesAffected.map { .string($0) }))
        o.appendUnchecked("summary", .string(summary))
        o.appendUnchecked("metadata", .object(metadata))
        return o
    }

    /// The compact, single-line JSON text of the run: the tag message and the content of `run.json`.
    public var compactJSON: String { JSONValue.object(json).jsonString }

    /// Reads a run from its JSON object.
    ///
    /// `run_id` and `type` are required; every other field falls back to the model's default when missing.
    /// - Throws: ``LedgerError/Code/invalidRun`` for a missing required field, a field of the wrong type
    ///   or an unknown status.
    public init(json: JSONObject) throws(LedgerError) {
        func string(_ key: String, required: Bool = false) throws(LedgerError) -> String {
            switch json[key] {
            case .string(let s)?: return s
            case nil, .null?:
                if required { throw LedgerError(.invalidRun, "run JSON has no \"\(key)\"") }
                return ""
            default: throw LedgerError(.invalidRun, "run JSON field \"\(key)\" must be a string")
            }
        }
        let statusText = try string("status")
        let status: RunStatus
        if statusText.isEmpty {
            status = .ok
        } else if let s = RunStatus(rawValue: statusText) {
            status = s
        } else {
            throw LedgerError(.invalidRun, "run status \"\(statusText)\" is invalid: use ok, failed or partial")
        }
        var modules: [String] = []
        if let list = json["modules_affected"], !list.isNull {
            guard let array = list.arrayValue else {
                throw LedgerError(.invalidRun, "run JSON field \"modules_affected\" must be an array of strings")
            }
            for element in array {
                guard let s = element.stringValue else {
                    throw LedgerError(.invalidRun, "run JSON field \"modules_affected\" must be an array of strings")
                }
                modules.append(s)
            }
        }
        var metadata = JSONObject()
        if let m = json["metadata"], !m.isNull {
            guard let object = m.objectValue else {
                throw LedgerError(.invalidRun, "run JSON field \"metadata\" must be an object")
            }
            metadata = object
        }
        var duration: Int64 = 0
        if let d = json["duration_ms"], !d.isNull {
            guard let i = d.intValue else {
                throw LedgerError(.invalidRun, "run JSON field \"duration_ms\" must be an integer")
            }
            duration = i
        }
        self.init(
            runID: try string("run_id", required: true),
            type: try string("type", required: true),
            subtype: try string("subtype"),
            status: status,
            user: try string("user"),
            codeRef: try string("code_ref"),
            startedAt: try string("started_at"),
            endedAt: try string("ended_at"),
            durationMs: duration,
            environment: try string("environment"),
            modulesAffected: modules,
            summary: try string("summary"),
            metadata: metadata
        )
    }

    /// Reads a run from JSON text (a tag message or `run.json`).
    public init(jsonText: String) throws(LedgerError) {
        let value = try JSONParser.parse(jsonText)
        guard let object = value.objectValue else {
            throw LedgerError(.invalidRun, "run JSON must be an object")
        }
        try self.init(json: object)
    }
}
