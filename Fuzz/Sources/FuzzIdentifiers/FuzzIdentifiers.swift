import FuzzDriver
import LedgerCore

/// Hands the command line to libFuzzer, which calls the check below with each input.
@main struct Main {
    static func main() { runLibFuzzer(fuzzIdentifiers) }
}

/// Any bytes as agent, session and event type ids: a valid id never holds a path separator, `..`, a
/// leading dash, a control byte or anything outside ASCII, and the validators agree with each other.
func fuzzIdentifiers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let checks: [(Bool, Bool)] = [
        (Identifiers.isValidAgent(text), (try? Identifiers.validateAgent(text)) != nil),
        (Identifiers.isValidSession(text), (try? Identifiers.validateSession(text)) != nil),
        (Identifiers.isValidEventType(text), (try? Identifiers.validateEventType(text)) != nil),
    ]
    for (i, (quick, full)) in checks.enumerated() where quick != full {
        fatalError("validator \(i) disagrees with its quick check on \(Identifiers.quoted(text))")
    }
    if checks.contains(where: { $0.0 }) {
        let utf8 = Array(text.utf8)
        let unsafe =
            text.contains("/") || text.contains("..") || text.hasPrefix("-") || text.hasPrefix(".")
            || utf8.contains { $0 < 0x20 || $0 >= 0x7F } || utf8.isEmpty
        if unsafe && checks[0].0 { fatalError("agent id accepted: \(Identifiers.quoted(text))") }
        if unsafe && checks[1].0 { fatalError("session id accepted: \(Identifiers.quoted(text))") }
    }
    return 0
}
