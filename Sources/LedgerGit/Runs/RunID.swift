public import LedgerCore

/// Run ids: `run_<YYYY-MM-DDTHHMMSS>_<type>_<4 random>`, for example `run_2026-02-17T204500_k8s-apply_a1b2`.
///
/// The id names a folder (`ledger/runs/<id>/`) and a tag (`refs/tags/scp/run/<id>`), so the pattern is
/// strict: lowercase ASCII letters, digits and `-` in the type part, no dots, no slashes, at most 80
/// characters. Every id that passes ``validate(_:)`` is also a valid git ref name component.
public enum RunID {
    /// The pattern in words, for error messages.
    public static let rule = "run_<YYYY-MM-DDTHHMMSS>_<type: [a-z0-9-], 1-40>_<4 of [a-z0-9]>"

    /// The rule for a run's type, in words.
    public static let typeRule = "[a-z0-9][a-z0-9._:-]{0,63}"

    /// A new id for a run of `type` that started at `nanoseconds` (since 1970, UTC).
    ///
    /// The type's `.`, `:` and `_` become `-` in the id (`k8s:apply` gives `k8s-apply`);
    /// the suffix is four random characters of `[a-z0-9]`.
    public static func make(
        type: String,
        at nanoseconds: Int64,
        using generator: inout some RandomNumberGenerator
    ) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var suffix = ""
        for _ in 0..<4 { suffix.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]) }
        return "run_\(RunTime.idStamp(nanoseconds: nanoseconds))_\(slug(type))_\(suffix)"
    }

    /// A new id, with the system's random generator.
    public static func make(type: String, at nanoseconds: Int64) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(type: type, at: nanoseconds, using: &generator)
    }

    /// The type as it appears inside an id: lowercase, `[a-z0-9-]`, at most 40 characters, never empty.
    public static func slug(_ type: String) -> String {
        var out = ""
        var lastWasDash = true
        for scalar in type.lowercased().unicodeScalars {
            if isLowerAlnum(scalar) {
                out.unicodeScalars.append(scalar)
                lastWasDash = false
            } else if !lastWasDash {
                out.append("-")
                lastWasDash = true
            }
            if out.count >= 40 { break }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "run" : out
    }

    /// Whether `id` matches the run id pattern.
    public static func isValid(_ id: String) -> Bool {
        let utf8 = Array(id.utf8)
        guard utf8.count <= 80 else { return false }
        let parts = utf8.split(separator: UInt8(ascii: "_"), omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].elementsEqual("run".utf8) else { return false }
        // YYYY-MM-DDTHHMMSS
        let stamp = Array(parts[1])
        guard stamp.count == 17 else { return false }
        for (i, b) in stamp.enumerated() {
            switch i {
            case 4, 7: guard b == UInt8(ascii: "-") else { return false }
            case 10: guard b == UInt8(ascii: "T") else { return false }
            default: guard isDigit(b) else { return false }
            }
        }
        let type = parts[2]
        guard (1...40).contains(type.count), let first = type.first, let last = type.last,
            first != UInt8(ascii: "-"), last != UInt8(ascii: "-"),
            type.allSatisfy({ isLowerAlnumByte($0) || $0 == UInt8(ascii: "-") })
        else { return false }
        let suffix = parts[3]
        return suffix.count == 4 && suffix.allSatisfy(isLowerAlnumByte)
    }

    /// Throws ``LedgerError/Code/invalidRunID`` unless `id` matches the pattern.
    public static func validate(_ id: String) throws(LedgerError) {
        guard isValid(id) else {
            throw LedgerError(.invalidRunID, "run id \"\(id)\" is invalid: use \(rule)")
        }
    }

    /// Whether `type` is an acceptable run type.
    public static func isValidType(_ type: String) -> Bool {
        let utf8 = Array(type.utf8)
        guard (1...64).contains(utf8.count), isLowerAlnumByte(utf8[0]) else { return false }
        return utf8.allSatisfy {
            isLowerAlnumByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":")
                || $0 == UInt8(ascii: "-")
        }
    }

    /// The tag's full ref name: `refs/tags/scp/run/<id>`.
    public static func tagRef(_ id: String) -> String { "refs/tags/scp/run/\(id)" }

    /// The tag name as `git tag` takes it: `scp/run/<id>`.
    public static func tagName(_ id: String) -> String { "scp/run/\(id)" }

    /// The ref prefix all run tags share.
    public static let tagPrefix = "refs/tags/scp/run/"

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private static func isLowerAlnumByte(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
    }

    private static func isLowerAlnum(_ s: Unicode.Scalar) -> Bool {
        s.isASCII && isLowerAlnumByte(UInt8(s.value))
    }
}
