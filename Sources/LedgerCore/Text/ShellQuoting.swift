/// Writes command lines the way a POSIX shell reads them back, for people to read or paste.
public enum ShellQuoting {
    /// One word: unchanged when it holds only safe characters, else in single quotes.
    ///
    /// ```swift
    /// ShellQuoting.quote("npm")          // npm
    /// ShellQuoting.quote("it's")         // 'it'\''s'
    /// ```
    public static func quote(_ word: String) -> String {
        if !word.isEmpty && word.utf8.allSatisfy(isSafe) { return word }
        return "'" + word.replacingAll("'", with: #"'\''"#) + "'"
    }

    /// Words joined by spaces, each quoted as needed.
    public static func join(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    static func isSafe(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-_./=:,+@%".utf8.contains(c)
        }
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement`.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for c in self {
            if c == target { out += replacement } else { out.append(c) }
        }
        return out
    }
}
