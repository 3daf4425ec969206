public import LedgerCore

/// What happened to one ref in a push or a fetch.
public struct RefUpdate: Sendable, Hashable {
    /// The outcome, from the flag git prints for the ref in `git push --porcelain`.
    public enum Outcome: String, Sendable, Hashable {
        /// The ref did not exist on the remote and was created (`*`).
        case created
        /// The remote ref moved forward (` `).
        case fastForward = "fast_forward"
        /// The remote already had this value (`=`).
        case upToDate = "up_to_date"
        /// The remote refused the update (`!`): not a fast-forward, or a tag that exists with another value.
        case rejected
        /// The remote ref was replaced (`+`); the ledger never asks for this.
        case forced
        /// The remote ref was deleted (`-`); the ledger never asks for this.
        case deleted
    }

    /// The full name of the ref on the remote.
    public var ref: String
    public var outcome: Outcome
    /// git's own words for it: `[new tag]`, `[rejected] (fetch first)`, `1a2b3c..4d5e6f`.
    public var summary: String

    public init(ref: String, outcome: Outcome, summary: String) {
        self.ref = ref
        self.outcome = outcome
        self.summary = summary
    }

    /// Whether the remote now has the local value.
    public var succeeded: Bool { outcome != .rejected }

    /// Reads the per-ref lines of `git push --porcelain`: `<flag>\t<from>:<to>\t<summary>`.
    /// Lines without that shape (`To <url>`, `Done`) are skipped.
    public static func parsePushPorcelain(_ text: String) -> [RefUpdate] {
        var updates: [RefUpdate] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count >= 2, fields[0].count == 1, let flag = fields[0].first else { continue }
            let outcome: Outcome
            switch flag {
            case "*": outcome = .created
            case " ": outcome = .fastForward
            case "=": outcome = .upToDate
            case "!": outcome = .rejected
            case "+": outcome = .forced
            case "-": outcome = .deleted
            default: continue
            }
            let refs = fields[1]
            let to = refs.firstIndex(of: ":").map { String(refs[refs.index(after: $0)...]) } ?? String(refs)
            updates.append(RefUpdate(ref: to, outcome: outcome, summary: fields.count > 2 ? String(fields[2]) : ""))
        }
        return updates
    }
}

extension RefUpdate {
    /// `{"ref":…,"outcome":…,"summary":…}`.
    public var json: JSONObject {
        ["ref": .string(ref), "outcome": .string(outcome.rawValue), "summary": .string(summary)]
    }
}
