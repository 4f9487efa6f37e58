/// Parses DSPy's string signatures: `"context: list[str], question -> answer: int"`.
enum SignatureParser {
    static func parse(_ text: String) throws(SignatureError) -> (inputs: [Field], outputs: [Field]) {
        let characters = Array(text)
        var arrowIndex: Int?
        var depth = 0
        var quote: Character?
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "[" || character == "<" && !(index > 0 && characters[index - 1] == "-") {
                depth += 1
            } else if character == "]" || (character == ">" && depth > 0 && characters[index - 1] != "-") {
                depth -= 1
            } else if character == "-", depth == 0, index + 1 < characters.count, characters[index + 1] == ">" {
                if arrowIndex != nil {
                    throw SignatureError(message: "a signature has exactly one '->'", column: index + 1, text: text)
                }
                arrowIndex = index
                index += 1
            }
            index += 1
        }
        guard let arrow = arrowIndex else {
            throw SignatureError(
                message: "expected '->' between the input and output fields, as in \"question -> answer\"",
                column: characters.count + 1, text: text)
        }
        let inputs = try parseFields(characters, from: 0, to: arrow, side: "input", source: text)
        let outputs = try parseFields(characters, from: arrow + 2, to: characters.count, side: "output", source: text)
        if outputs.isEmpty {
            throw SignatureError(
                message: "expected at least one output field after '->'", column: arrow + 3, text: text)
        }
        var seen = Set<String>()
        for field in inputs + outputs where !seen.insert(field.name).inserted {
            let column =
                (text.range(of: field.name).map { text.distance(from: text.startIndex, to: $0.lowerBound) }
                    ?? 0) + 1
            throw SignatureError(message: "field '\(field.name)' appears twice", column: column, text: text)
        }
        return (inputs, outputs)
    }

    private static func parseFields(
        _ characters: [Character], from start: Int, to end: Int, side: String, source: String
    ) throws(SignatureError) -> [Field] {
        // Split on commas outside brackets and quotes.
        var pieces: [(start: Int, end: Int)] = []
        var depth = 0
        var quote: Character?
        var pieceStart = start
        for index in start..<end {
            let character = characters[index]
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "'", "\"": quote = character
            case "[", "<": depth += 1
            case "]", ">": depth -= 1
            case "," where depth == 0:
                pieces.append((pieceStart, index))
                pieceStart = index + 1
            default: break
            }
        }
        pieces.append((pieceStart, end))
        let isBlank =
            pieces.count == 1
            && characters[pieces[0].start..<pieces[0].end].allSatisfy(\.isWhitespace)
        if isBlank { return [] }
        var fields: [Field] = []
        for piece in pieces {
            fields.append(try parseField(characters, piece.start, piece.end, side: side, source: source))
        }
        return fields
    }

    private static func parseField(
        _ characters: [Character], _ start: Int, _ end: Int, side: String, source: String
    ) throws(SignatureError) -> Field {
        var nameStart = start
        while nameStart < end, characters[nameStart].isWhitespace { nameStart += 1 }
        var nameEnd = nameStart
        while nameEnd < end, characters[nameEnd].isLetter || characters[nameEnd].isNumber || characters[nameEnd] == "_"
        {
            nameEnd += 1
        }
        if nameStart == nameEnd {
            let found = nameStart < end ? "'\(characters[nameStart])'" : "nothing"
            throw SignatureError(
                message: "expected an \(side) field name but found \(found)", column: nameStart + 1,
                text: source)
        }
        if characters[nameStart].isNumber {
            throw SignatureError(message: "a field name cannot start with a digit", column: nameStart + 1, text: source)
        }
        let name = String(characters[nameStart..<nameEnd])
        var cursor = nameEnd
        while cursor < end, characters[cursor].isWhitespace { cursor += 1 }
        if cursor == end { return Field(name: name) }
        guard characters[cursor] == ":" else {
            throw SignatureError(
                message: "expected ':' and a type, ',' or '->' after field '\(name)'", column: cursor + 1,
                text: source)
        }
        let typeStart = cursor + 1
        let typeText = String(characters[typeStart..<end])
        if typeText.allSatisfy(\.isWhitespace) {
            throw SignatureError(message: "expected a type after '\(name):'", column: end + 1, text: source)
        }
        let type = try FieldType(parsing: typeText, offset: typeStart, source: source)
        return Field(name: name, type: type)
    }
}
