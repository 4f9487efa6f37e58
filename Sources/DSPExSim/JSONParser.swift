/// A strict, allocation-light JSON parser over UTF-8 bytes (RFC 8259).
///
/// The simulator parses every request body with it instead of Foundation's decoders,
/// which are several times slower on Linux. Strings without escapes are decoded in one
/// step; nesting is limited so that hostile input cannot exhaust the stack.
///
/// It is deliberately not the client's parser (`DSPEx`'s `JSONParser`), though the simulator links DSPEx: the
/// simulator is the other end of every wire-format test, and a second, independent reading of each request and
/// reply is what lets those tests catch a fault in the client's JSON instead of agreeing with it.
///
/// ```swift
/// let value = try JSONParser.parse(Array(#"{"n": 2}"#.utf8))
/// ```
struct JSONParser {
    /// Why a document was rejected, with the byte offset where parsing stopped.
    struct Failure: Error, Sendable, CustomStringConvertible {
        var reason: String
        var offset: Int
        var description: String { "invalid JSON at byte \(self.offset): \(self.reason)" }
    }

    static let maximumDepth = 256

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses one JSON document from `bytes`; only whitespace may follow it.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw parser.failure("unexpected data after the document")
        }
        return value
    }

    /// Parses one JSON document from an array of UTF-8 bytes.
    static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        let result: Result<JSONValue, Failure> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(Failure) -> JSONValue in try Self.parse(buffer) }
        }
        return try result.get()
    }

    /// Parses one JSON document from a string.
    static func parse(_ text: String) throws(Failure) -> JSONValue {
        try Self.parse(Array(text.utf8))
    }

    private func failure(_ reason: String) -> Failure {
        Failure(reason: reason, offset: self.index)
    }

    private mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                self.index += 1
            default:
                return
            }
        }
    }

    private mutating func parseValue() throws(Failure) -> JSONValue {
        guard self.index < self.bytes.count else { throw self.failure("unexpected end of input") }
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"): return try self.parseObject()
        case UInt8(ascii: "["): return try self.parseArray()
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "t"): return try self.parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try self.parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try self.parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try self.parseNumber()
        default: throw self.failure("unexpected character")
        }
    }

    private mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(Failure) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard self.index + count <= self.bytes.count else { throw self.failure("unexpected end of input") }
        let matches = word.withUTF8Buffer { expected in
            (0..<count).allSatisfy { self.bytes[self.index + $0] == expected[$0] }
        }
        guard matches else { throw self.failure("unknown literal") }
        self.index += count
        return value
    }

    private mutating func enter() throws(Failure) {
        self.depth += 1
        guard self.depth <= Self.maximumDepth else { throw self.failure("nesting too deep") }
    }

    private mutating func parseObject() throws(Failure) -> JSONValue {
        try self.enter()
        defer { self.depth -= 1 }
        self.index += 1
        var members: [(key: String, value: JSONValue)] = []
        self.skipWhitespace()
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "}") {
            self.index += 1
            return .object(members)
        }
        while true {
            self.skipWhitespace()
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\"") else {
                throw self.failure("expected a string key")
            }
            let key = try self.parseString()
            self.skipWhitespace()
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ":") else {
                throw self.failure("expected ':'")
            }
            self.index += 1
            self.skipWhitespace()
            members.append((key, try self.parseValue()))
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw self.failure("unexpected end of input") }
            let byte = self.bytes[self.index]
            self.index += 1
            if byte == UInt8(ascii: "}") { return .object(members) }
            guard byte == UInt8(ascii: ",") else { throw self.failure("expected ',' or '}'") }
        }
    }

    private mutating func parseArray() throws(Failure) -> JSONValue {
        try self.enter()
        defer { self.depth -= 1 }
        self.index += 1
        var elements: [JSONValue] = []
        self.skipWhitespace()
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "]") {
            self.index += 1
            return .array(elements)
        }
        while true {
            self.skipWhitespace()
            elements.append(try self.parseValue())
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw self.failure("unexpected end of input") }
            let byte = self.bytes[self.index]
            self.index += 1
            if byte == UInt8(ascii: "]") { return .array(elements) }
            guard byte == UInt8(ascii: ",") else { throw self.failure("expected ',' or ']'") }
        }
    }

    private mutating func parseNumber() throws(Failure) -> JSONValue {
        let start = self.index
        if self.bytes[self.index] == UInt8(ascii: "-") { self.index += 1 }
        let integerStart = self.index
        self.skipDigits()
        guard self.index > integerStart else { throw self.failure("expected a digit") }
        if self.bytes[integerStart] == UInt8(ascii: "0"), self.index - integerStart > 1 {
            throw self.failure("leading zero")
        }
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ".") {
            self.index += 1
            let fractionStart = self.index
            self.skipDigits()
            guard self.index > fractionStart else { throw self.failure("expected a digit after '.'") }
        }
        if self.index < self.bytes.count, self.bytes[self.index] | 0x20 == UInt8(ascii: "e") {
            self.index += 1
            if self.index < self.bytes.count,
                self.bytes[self.index] == UInt8(ascii: "+") || self.bytes[self.index] == UInt8(ascii: "-")
            {
                self.index += 1
            }
            let exponentStart = self.index
            self.skipDigits()
            guard self.index > exponentStart else { throw self.failure("expected an exponent") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.index]), as: UTF8.self)
        guard let value = Double(text) else { throw self.failure("number out of range") }
        return .number(value)
    }

    private mutating func skipDigits() {
        while self.index < self.bytes.count,
            self.bytes[self.index] >= UInt8(ascii: "0"), self.bytes[self.index] <= UInt8(ascii: "9")
        {
            self.index += 1
        }
    }

    private mutating func parseString() throws(Failure) -> String {
        self.index += 1
        let start = self.index
        // Fast path: no escapes.
        self.index = JSONStringScan.firstSpecial(in: self.bytes, from: self.index)
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\"") {
            let text = String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.index]), as: UTF8.self)
            self.index += 1
            return text
        }
        var decoded = Array(UnsafeBufferPointer(rebasing: self.bytes[start..<self.index]))
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            self.index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try self.parseEscape(into: &decoded)
                // The run of plain bytes up to the next quote, escape or control byte, copied at once.
                let runEnd = JSONStringScan.firstSpecial(in: self.bytes, from: self.index)
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: self.bytes[self.index..<runEnd]))
                self.index = runEnd
            case 0..<0x20:
                throw self.failure("control character in string")
            default:
                decoded.append(byte)
            }
        }
        throw self.failure("unterminated string")
    }

    private mutating func parseEscape(into decoded: inout [UInt8]) throws(Failure) {
        guard self.index < self.bytes.count else { throw self.failure("unterminated escape") }
        let byte = self.bytes[self.index]
        self.index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try self.parseHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                if self.index + 1 < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\\"),
                    self.bytes[self.index + 1] == UInt8(ascii: "u")
                {
                    self.index += 2
                    let low = try self.parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw self.failure("invalid low surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00..<0xE000).contains(scalar) {
                scalar = 0xFFFD
            }
            let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            if let encoded = UTF8.encode(character) {
                decoded.append(contentsOf: encoded)
            }
        default:
            throw self.failure("unknown escape")
        }
    }

    private mutating func parseHex4() throws(Failure) -> UInt32 {
        guard self.index + 4 <= self.bytes.count else { throw self.failure("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.index]
            self.index += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw self.failure("invalid hex digit")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
