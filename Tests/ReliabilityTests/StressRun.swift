import LedgerCore
import LedgerTestSupport
import Testing

/// Runs a `ledger-stress` driver and returns its JSON summary (the last line of its stdout).
func stressSummary(_ arguments: [String]) async throws -> JSONObject {
    let out = try await Shell.runAsync([BuiltExecutable.stress] + arguments)
    let last = out.stdout.split(separator: "\n").last.map(String.init) ?? ""
    guard let summary = try? JSONParser.parse(last).objectValue else {
        throw TestSupportError(
            "ledger-stress \(arguments.first ?? "") printed no summary (\(out.status)): \(out.stderr)"
        )
    }
    if out.status != 0 {
        Issue.record("ledger-stress \(arguments.first ?? "") failed (\(out.status)): \(last) \(out.stderr)")
    }
    return summary
}

extension JSONObject {
    func int(_ key: String) -> Int64 { self[key]?.intValue ?? -1 }
}
