import FuzzDriver
import LedgerCore

/// Hands the command line to libFuzzer, which calls the check below with each input.
@main struct Main {
    static func main() { runLibFuzzer(fuzzLineParser) }
}

/// Any bytes through the line parser: it must return an event or throw a `LedgerError`, never crash,
/// and an event it accepts must survive a write and a second parse unchanged (a round trip).
func fuzzLineParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    _ = try? JSONParser.parse(bytes)
    guard let event = try? EventLine.parse(bytes) else { return 0 }
    var line: [UInt8] = []
    EventLine.write(event, into: &line)
    guard let again = try? EventLine.parse(line) else {
        fatalError("a parsed event was written as a line that does not parse: \(String(decoding: line, as: UTF8.self))")
    }
    var second: [UInt8] = []
    EventLine.write(again, into: &second)
    if second != line {
        fatalError(
            "round trip changed the line:\n\(String(decoding: line, as: UTF8.self))\n\(String(decoding: second, as: UTF8.self))"
        )
    }
    return 0
}
