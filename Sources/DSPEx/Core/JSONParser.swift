import OrderedCollections

/// A recursive-descent JSON parser over UTF-8 that keeps object key order and reports
/// positions. Foundation's decoders lose member order and say little about where input is bad.
///
/// In lenient mode it also reads what language models write instead of JSON: Python literals
/// (`'single quotes'`, `True`, `False`, `None`, tuples) and trailing commas.
struct JSONParser {
    private let bytes: [UInt8]
    private let lenient: Bool
    private var index = 0
    private var depth = 0
    private static let maximumDepth = 512

    init(text: String, lenient: Bool = false) {
        bytes = Array(text.utf8)
        self.lenient = lenient
    }

    /// A strict parser over UTF-8 bytes already in an array (a reply body), without going through a `String`.
    init(bytes: [UInt8]) {
        self.bytes = bytes
        lenient = false
    }

    mutating func parseDocument() throws(JSONParseError) -> Value {
        let value = try parseValue()
        try finishDocument()
        return value
    }

    /// Checks that nothing but whitespace follows the value just read.
    mutating func finishDocument() throws(JSONParseError) {
        skipWhitespace()
        if index < bytes.count { throw error("unexpected text after the JSON value") }
    }

    /// Parses lenient text where the top level may also be bare comma-separated values (`1, 2, 3`).
    static func parseLenient(_ text: String) -> Value? {
        var parser = JSONParser(text: text, lenient: true)
        if let value = try? parser.parseDocument() { return value }
        var listParser = JSONParser(text: "[" + text + "]", lenient: true)
        if text.contains(","), let list = try? listParser.parseDocument() { return list }
        return nil
    }

    /// The first byte of the next value (whitespace skipped), or `nil` at the end of the text.
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    /// Parses the value at the current position (after whitespace).
    mutating func parseValue() throws(JSONParseError) -> Value {
        skipWhitespace()
        guard index < bytes.count else { throw error("expected a value but the text ended") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "'") where lenient: return .string(try parseString())
        case UInt8(ascii: "(") where lenient: return try parseArray()
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "T") where lenient: return try parseLiteral("True", .bool(true))
        case UInt8(ascii: "F") where lenient: return try parseLiteral("False", .bool(false))
        case UInt8(ascii: "N") where lenient: return try parseLiteral("None", .null)
        case UInt8(ascii: ".") where lenient: return try parseNumber()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("expected a value (object, array, string, number, true, false or null)")
        }
    }

    private mutating func parseLiteral(_ word: String, _ value: Value) throws(JSONParseError) -> Value {
        for byte in word.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw error("expected '\(word)'") }
            index += 1
        }
        return value
    }

    private mutating func parseObject() throws(JSONParseError) -> Value {
        var object = OrderedDictionary<String, Value>()
        try readObject { parser, key throws(JSONParseError) in object[key] = try parser.parseValue() }
        return .object(object)
    }

    /// Reads the object at the current position member by member, without building it: `member` gets each
    /// name with the parser at its value, and must consume that value (``parseValue()``, ``readObject(_:)``,
    /// ``readArray(_:)``).
    mutating func readObject(
        _ member: (inout JSONParser, String) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw error("expected an object") }
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            if lenient, index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return
            }
            guard index < bytes.count,
                bytes[index] == UInt8(ascii: "\"") || (lenient && bytes[index] == UInt8(ascii: "'"))
            else {
                throw error("expected a quoted member name")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            try member(&self, key)
            skipWhitespace()
            guard index < bytes.count else { throw error("expected ',' or '}' but the text ended") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return
            }
            throw error("expected ',' or '}'")
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> Value {
        var array: [Value] = []
        try readArray { parser throws(JSONParseError) in array.append(try parser.parseValue()) }
        return .array(array)
    }

    /// Reads the array at the current position element by element, without building it: `element` is called with
    /// the parser at each element, and must consume it.
    mutating func readArray(_ element: (inout JSONParser) throws(JSONParseError) -> Void) throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count,
            bytes[index] == UInt8(ascii: "[") || (lenient && bytes[index] == UInt8(ascii: "("))
        else { throw error("expected an array") }
        try enter()
        let close = bytes[index] == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == close {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            if lenient, index < bytes.count, bytes[index] == close {
                index += 1
                depth -= 1
                return
            }
            try element(&self)
            skipWhitespace()
            guard index < bytes.count else { throw error("expected ',' or ']' but the text ended") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == close {
                index += 1
                depth -= 1
                return
            }
            throw error("expected ',' or ']'")
        }
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        let quote = bytes[index]
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                let string = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return string
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            index += 1
        }
        var scalars = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                index += 1
                return String(decoding: scalars, as: UTF8.self)
            }
            if byte < 0x20 && !lenient { throw error("control character in a string (escape it)") }
            if byte != UInt8(ascii: "\\") {
                scalars.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append(UInt8(ascii: "\""))
            case UInt8(ascii: "'") where lenient: scalars.append(UInt8(ascii: "'"))
            case UInt8(ascii: "\\"): scalars.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): scalars.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800...0xDBFF).contains(code), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    index += 2
                    let low = try parseHex4()
                    if (0xDC00...0xDFFF).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                scalars.append(contentsOf: Array(String(scalar).utf8))
            default: throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
            }
        }
        throw error("unterminated string")
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("expected four hex digits after \\u") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("expected a hex digit after \\u")
            }
            code = code * 16 + digit
            index += 1
        }
        return code
    }

    private mutating func parseNumber() throws(JSONParseError) -> Value {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let leadingDot = lenient && index < bytes.count && bytes[index] == UInt8(ascii: ".")
        guard index < bytes.count, leadingDot || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            throw error("expected a digit")
        }
        while index < bytes.count {
            let byte = bytes[index]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                index += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || ((byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")) && !isInteger)
            {
                isInteger = false
                index += 1
            } else {
                break
            }
        }
        var text = String(decoding: bytes[start..<index], as: UTF8.self)
        if leadingDot { text = text.hasPrefix("-") ? "-0" + text.dropFirst() : "0" + text }
        if isInteger, let int = Int(text) { return .int(int) }
        guard let double = Double(text) else { throw error("invalid number '\(text)'") }
        return .double(double)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func error(_ message: String) -> JSONParseError {
        var line = 1
        var lineStart = 0
        let end = min(index, bytes.count)
        for position in 0..<end where bytes[position] == 0x0A {
            line += 1
            lineStart = position + 1
        }
        let column = String(decoding: bytes[lineStart..<end], as: UTF8.self).count + 1
        return JSONParseError(message: message, line: line, column: column)
    }
}
