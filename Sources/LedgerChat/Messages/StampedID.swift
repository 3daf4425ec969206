public import LedgerGit

/// Ids made of a prefix, the UTC time to the millisecond, and four random characters:
/// `msg_2026-02-17T204500.123_k3x9`, `thread_2026-02-17T204500.123_a1b2`, `trace_…`.
///
/// The time part is a run id's stamp (``RunTime/idStamp(nanoseconds:)``) plus milliseconds, so ids sort in
/// time order and two writers in the same second almost never meet: a clash needs the same millisecond
/// and the same four characters of `[a-z0-9]`.
public enum StampedID {
    /// A new id with `prefix` (`msg`, `thread`, `trace`) for the time `nanoseconds` (since 1970, UTC).
    public static func make(
        _ prefix: String,
        at nanoseconds: Int64 = RunTime.nowNanoseconds(),
        using generator: inout some RandomNumberGenerator
    ) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var suffix = ""
        for _ in 0..<4 { suffix.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]) }
        let millis = (nanoseconds / 1_000_000) % 1000
        let ms = String(millis < 0 ? millis + 1000 : millis)
        let padded = String(repeating: "0", count: 3 - ms.count) + ms
        return "\(prefix)_\(RunTime.idStamp(nanoseconds: nanoseconds)).\(padded)_\(suffix)"
    }

    /// A new id with the system's random generator.
    public static func make(_ prefix: String, at nanoseconds: Int64 = RunTime.nowNanoseconds()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(prefix, at: nanoseconds, using: &generator)
    }

    /// The pattern in words, for error messages.
    public static func rule(_ prefix: String) -> String {
        "\(prefix)_<YYYY-MM-DDTHHMMSS.mmm>_<4 of [a-z0-9]>"
    }

    /// Whether `id` is `<prefix>_<YYYY-MM-DDTHHMMSS>[.mmm]_<4 of [a-z0-9]>`.
    public static func isValid(_ id: String, prefix: String) -> Bool {
        let utf8 = Array(id.utf8)
        let head = Array("\(prefix)_".utf8)
        guard utf8.count >= head.count + 22, utf8.starts(with: head) else { return false }
        let rest = Array(utf8[head.count...])
        let parts = rest.split(separator: UInt8(ascii: "_"), omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let stamp = Array(parts[0])
        guard stamp.count == 17 || stamp.count == 21 else { return false }
        for (i, b) in stamp.enumerated() {
            switch i {
            case 4, 7: guard b == UInt8(ascii: "-") else { return false }
            case 10: guard b == UInt8(ascii: "T") else { return false }
            case 17: guard b == UInt8(ascii: ".") else { return false }
            default: guard isDigit(b) else { return false }
            }
        }
        let suffix = parts[1]
        return suffix.count == 4
            && suffix.allSatisfy { isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
