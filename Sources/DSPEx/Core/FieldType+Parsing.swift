extension FieldType {
    /// Parses a type annotation in DSPy's or Swift's spelling.
    ///
    /// ```swift
    /// try FieldType(parsing: "list[str]")            // .list(.string)
    /// try FieldType(parsing: "[String]")             // .list(.string)
    /// try FieldType(parsing: "Literal['yes', 'no']") // .literal(["yes", "no"])
    /// ```
    /// - Throws: ``SignatureError`` naming the column (1-based, within `text`) of the problem.
    public init(parsing text: String) throws(SignatureError) {
        var scanner = TypeScanner(text: Array(text), offset: 0, source: text)
        self = try scanner.parseType()
        scanner.skipSpaces()
        if !scanner.isAtEnd {
            throw scanner.error("unexpected '\(scanner.rest)' after the type")
        }
    }

    /// Parses a type that starts at `offset` characters into `source` (for column numbers).
    init(parsing text: String, offset: Int, source: String) throws(SignatureError) {
        var scanner = TypeScanner(text: Array(text), offset: offset, source: source)
        self = try scanner.parseType()
        scanner.skipSpaces()
        if !scanner.isAtEnd {
            throw scanner.error("unexpected '\(scanner.rest)' after the type")
        }
    }
}

/// A small recursive-descent scanner over a type annotation.
private struct TypeScanner {
    let text: [Character]
    let offset: Int
    let source: String
    var index = 0

    var isAtEnd: Bool { index >= text.count }
    var rest: String { String(text[index...]) }

    mutating func skipSpaces() {
        while index < text.count, text[index].isWhitespace { index += 1 }
    }

    func error(_ message: String) -> SignatureError {
        SignatureError(message: message, column: offset + index + 1, text: source)
    }

    mutating func expect(_ character: Character) throws(SignatureError) {
        skipSpaces()
        guard index < text.count, text[index] == character else {
            throw error("expected '\(character)'")
        }
        index += 1
    }

    mutating func peek(_ character: Character) -> Bool {
        skipSpaces()
        return index < text.count && text[index] == character
    }

    mutating func identifier() -> String {
        skipSpaces()
        let start = index
        while index < text.count,
            text[index].isLetter || text[index].isNumber || text[index] == "_"
                || text[index] == "."
        {
            index += 1
        }
        return String(text[start..<index])
    }

    /// `[Tool]` or `[dspy.Tool]` after `list`, read whole; otherwise nothing is consumed.
    mutating func toolListMember() -> FieldType? {
        let start = index
        guard peek("[") else { return nil }
        index += 1
        let name = identifier()
        if name == "Tool" || name == "dspy.Tool", peek("]") {
            index += 1
            return .toolList
        }
        index = start
        return nil
    }

    mutating func parseType() throws(SignatureError) -> FieldType {
        var type = try parsePrimary()
        // Swift's `T?` and Python's `T | None`.
        while true {
            if peek("?") {
                index += 1
                type = .optional(type)
            } else if peek("|") {
                index += 1
                let start = index
                let other = identifier()
                guard other == "None" else {
                    index = start
                    throw error("only 'X | None' unions are supported")
                }
                type = .optional(type)
            } else {
                return type
            }
        }
    }

    mutating func parsePrimary() throws(SignatureError) -> FieldType {
        skipSpaces()
        if peek("[") {
            // Swift array `[T]` or dictionary `[String: T]`.
            index += 1
            let element = try parseType()
            if peek(":") {
                index += 1
                let value = try parseType()
                try expect("]")
                return .dictionary(value)
            }
            try expect("]")
            return .list(element)
        }
        let start = index
        let name = identifier()
        if name.isEmpty { throw error("expected a type name") }
        switch name {
        case "str", "String", "Substring":
            return .string
        case "int", "Int", "Int64", "Int32":
            return .int
        case "float", "Double", "Float":
            return .double
        case "bool", "Bool":
            return .bool
        case "Any", "Value", "object":
            return .json
        case "ToolCalls", "dspy.ToolCalls":
            return .toolCalls
        case "Tool", "dspy.Tool":
            throw error("a single Tool is not a field type; use list[Tool]")
        case "list", "List", "tuple", "Tuple", "Array":
            guard peek("[") || peek("<") else { return .list(.string) }
            if let tools = toolListMember() { return tools }
            let close: Character = text[index] == "[" ? "]" : ">"
            index += 1
            let element = try parseType()
            if close == "]", peek(",") {  // tuple[str, ...]
                index += 1
                skipSpaces()
                while index < text.count, text[index] != "]" { index += 1 }
            }
            try expect(close)
            return .list(element)
        case "dict", "Dict", "Dictionary":
            guard peek("[") || peek("<") else { return .json }
            let close: Character = text[index] == "[" ? "]" : ">"
            index += 1
            _ = try parseType()
            try expect(",")
            let value = try parseType()
            try expect(close)
            return .dictionary(value)
        case "Union":
            guard peek("[") else { throw error("expected '[' after Union") }
            index += 1
            var members: [FieldType] = []
            var allowsNone = false
            while true {
                skipSpaces()
                let start = index
                let word = identifier()
                if word == "None" || word == "NoneType" {
                    allowsNone = true
                } else {
                    index = start
                    members.append(try parseType())
                }
                if peek(",") {
                    index += 1
                    continue
                }
                try expect("]")
                break
            }
            guard members.count == 1 else { throw error("only Union[X, None] is supported") }
            return allowsNone ? .optional(members[0]) : members[0]
        case "Optional":
            guard peek("[") || peek("<") else { throw error("expected '[' after Optional") }
            let close: Character = text[index] == "[" ? "]" : ">"
            index += 1
            let wrapped = try parseType()
            try expect(close)
            return .optional(wrapped)
        case "Literal":
            try expect("[")
            var options: [String] = []
            while true {
                skipSpaces()
                guard index < text.count else { throw error("expected a quoted option or ']'") }
                let quote = text[index]
                if quote == "'" || quote == "\"" {
                    index += 1
                    var option = ""
                    while index < text.count, text[index] != quote {
                        if text[index] == "\\", index + 1 < text.count { index += 1 }
                        option.append(text[index])
                        index += 1
                    }
                    guard index < text.count else { throw error("unterminated string in Literal") }
                    index += 1
                    options.append(option)
                } else {
                    let word = identifier()
                    guard !word.isEmpty else { throw error("expected a quoted option in Literal[...]") }
                    options.append(word)
                }
                if peek(",") {
                    index += 1
                    continue
                }
                try expect("]")
                break
            }
            if options.isEmpty { throw error("Literal needs at least one option") }
            return .literal(options)
        default:
            index = start
            throw error(
                "unknown type '\(name)'; expected str, int, float, bool, list[...], dict, Literal[...], Optional[...]"
                    + " or a Swift spelling such as String, Int, Double, Bool, [String]")
        }
    }
}
