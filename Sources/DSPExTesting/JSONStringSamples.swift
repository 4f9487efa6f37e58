/// Strings for testing JSON string writers and readers that skip plain runs several bytes at a time,
/// and the one-scalar-at-a-time escaping they must reproduce.
public enum JSONStringSamples {
    /// `count` strings of up to 39 pieces, mostly plain letters with quotes, backslashes, control
    /// characters, DEL and non-ASCII scalars at every offset; the same strings for the same seed.
    public static func strings(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [String] {
        let specials: [String] = ["\"", "\\", "\n", "\t", "\r", "\u{01}", "\u{1F}", "\u{7F}", "/", "é", "😀", "~"]
        let letters = "abcdefgh".map(String.init)
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        return (0..<count).map { _ in
            (0..<next(40)).map { _ in next(4) == 0 ? specials[next(specials.count)] : letters[next(8)] }.joined()
        }
    }

    /// `text` as a quoted JSON string written one scalar at a time: `"` and `\` escaped, the short
    /// escapes for backspace, form feed, newline, carriage return and tab, `\u00XX` (lowercase) for
    /// other control characters, and with `escapeNonASCII` every scalar from U+007F as UTF-16 `\uXXXX`
    /// units (Python's `ensure_ascii`).
    public static func quoted(_ text: String, escapeNonASCII: Bool = false) -> String {
        func hex(_ unit: UInt16) -> String {
            let digits = String(unit, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
        }
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case _ where scalar.value < 0x20: output += hex(UInt16(scalar.value))
            case _ where escapeNonASCII && scalar.value >= 0x7F:
                for unit in String(scalar).utf16 { output += hex(unit) }
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
