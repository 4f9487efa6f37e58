/// Finds `[[ ## name ## ]]` sections in a reply.
///
/// DSPy only recognises a marker at the start of a line; this scanner also accepts one in the
/// middle of a line (the text before it stays with the previous section), any spacing inside
/// the brackets (`[[## answer ##]]`) and one to three hashes (`[[ # answer # ]]`), drifts small
/// models produce. A marker quoted in backticks (`` `[[ ## answer ## ]]` ``) is a mention — a model
/// repeating the prompt's instructions — and opens no section.
enum SectionScanner {
    /// The sections in order of appearance: the field name and its text, trimmed.
    static func sections(in reply: String) -> [(name: String, text: String)] {
        var reply = reply
        // Every byte the marker syntax uses is ASCII, so scanning UTF-8 finds the same markers as scanning
        // scalars, and slices between markers are whole scalars.
        return reply.withUTF8 { bytes in
            var sections: [(name: String, start: Int, end: Int)] = []
            var index = 0
            var lastContentStart: Int?
            var lastName: String?
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "["), let (name, end) = marker(at: index, in: bytes),
                    !isQuoted(from: index, to: end, in: bytes)
                {
                    if let lastName, let start = lastContentStart {
                        sections.append((lastName, start, index))
                    }
                    lastName = name
                    lastContentStart = end
                    index = end
                    continue
                }
                index += 1
            }
            if let lastName, let start = lastContentStart {
                sections.append((lastName, start, bytes.count))
            }
            return sections.map { section in
                let text = String(
                    decoding: UnsafeBufferPointer(rebasing: bytes[section.start..<section.end]), as: UTF8.self)
                return (section.name, text.pythonStripped)
            }
        }
    }

    /// Matches `[[ ## name ## ]]` with flexible spacing at `start`; returns the name and the end index.
    private static func marker(at start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (String, Int)? {
        var index = start
        func skipSpaces() {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
                index += 1
            }
        }
        func expectTwo(_ byte: UInt8) -> Bool {
            guard index + 1 < bytes.count, bytes[index] == byte, bytes[index + 1] == byte else { return false }
            index += 2
            return true
        }
        func expectHashes() -> Bool {
            var count = 0
            while index < bytes.count, bytes[index] == UInt8(ascii: "#"), count < 3 {
                index += 1
                count += 1
            }
            return count > 0
        }
        guard expectTwo(UInt8(ascii: "[")) else { return nil }
        skipSpaces()
        guard expectHashes() else { return nil }
        skipSpaces()
        let nameStart = index
        while index < bytes.count, let length = nameCharacterLength(at: index, in: bytes) { index += length }
        guard index > nameStart else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<index]), as: UTF8.self)
        skipSpaces()
        guard expectHashes() else { return nil }
        skipSpaces()
        guard expectTwo(UInt8(ascii: "]")) else { return nil }
        return (name, index)
    }

    /// The UTF-8 length of the scalar at `index` if it can be part of a field name (a letter, a digit
    /// or `_`), else nil.
    private static func nameCharacterLength(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let byte = bytes[index]
        if byte < 0x80 {
            let isName =
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
            return isName ? 1 : nil
        }
        // A non-ASCII scalar: its length from the lead byte, then Unicode's letter property.
        let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
        guard index + length <= bytes.count,
            let scalar = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<index + length]), as: UTF8.self)
                .unicodeScalars.first,
            scalar.properties.isAlphabetic
        else { return nil }
        return length
    }

    /// Whether the marker spanning `start..<end` is wrapped in backticks.
    private static func isQuoted(from start: Int, to end: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        (start > 0 && bytes[start - 1] == UInt8(ascii: "`")) || (end < bytes.count && bytes[end] == UInt8(ascii: "`"))
    }
}
