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
        let characters = Array(reply.unicodeScalars)
        var sections: [(name: String, start: Int, end: Int)] = []
        var index = 0
        var lastContentStart: Int?
        var lastName: String?
        while index < characters.count {
            if characters[index] == "[", let (name, end) = marker(at: index, in: characters),
                !isQuoted(from: index, to: end, in: characters)
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
            sections.append((lastName, start, characters.count))
        }
        return sections.map { section in
            var text = String(String.UnicodeScalarView(characters[section.start..<section.end]))
            text = text.pythonStripped
            return (section.name, text)
        }
    }

    /// Matches `[[ ## name ## ]]` with flexible spacing at `start`; returns the name and the end index.
    private static func marker(at start: Int, in characters: [Unicode.Scalar]) -> (String, Int)? {
        var index = start
        func skipSpaces() {
            while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
        }
        func expect(_ text: String) -> Bool {
            for scalar in text.unicodeScalars {
                guard index < characters.count, characters[index] == scalar else { return false }
                index += 1
            }
            return true
        }
        func expectHashes() -> Bool {
            var count = 0
            while index < characters.count, characters[index] == "#", count < 3 {
                index += 1
                count += 1
            }
            return count > 0
        }
        guard expect("[[") else { return nil }
        skipSpaces()
        guard expectHashes() else { return nil }
        skipSpaces()
        let nameStart = index
        while index < characters.count,
            characters[index].properties.isAlphabetic || ("0"..."9").contains(characters[index])
                || characters[index] == "_"
        {
            index += 1
        }
        guard index > nameStart else { return nil }
        let name = String(String.UnicodeScalarView(characters[nameStart..<index]))
        skipSpaces()
        guard expectHashes() else { return nil }
        skipSpaces()
        guard expect("]]") else { return nil }
        return (name, index)
    }

    /// Whether the marker spanning `start..<end` is wrapped in backticks.
    private static func isQuoted(from start: Int, to end: Int, in characters: [Unicode.Scalar]) -> Bool {
        (start > 0 && characters[start - 1] == "`") || (end < characters.count && characters[end] == "`")
    }
}
