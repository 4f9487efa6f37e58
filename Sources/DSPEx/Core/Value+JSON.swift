extension Value {
    /// Writes this value as JSON text in the given format.
    ///
    /// ```swift
    /// Value(["a": 1, "b": [true, nil]]).jsonString(.python) // {"a": 1, "b": [true, null]}
    /// ```
    public func jsonString(_ format: JSONFormat = .compact) -> String {
        String(decoding: jsonBytes(format), as: UTF8.self)
    }

    /// This value as JSON text in UTF-8, without going through a `String` (for request bodies and hashing).
    public func jsonBytes(_ format: JSONFormat = .compact) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(to: &output, format: format, level: 0)
        return output
    }

    /// Parses JSON text into a value, keeping object key order.
    ///
    /// - Throws: ``JSONParseError`` with the line and column of the first problem.
    public init(json text: String) throws(JSONParseError) {
        var parser = JSONParser(text: text)
        self = try parser.parseDocument()
    }

    /// Appends this value's JSON text to `output`, as if nested `level` deep.
    func write(to output: inout [UInt8], format: JSONFormat, level: Int) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let bool): output.append(contentsOf: (bool ? "true" : "false").utf8)
        case .int(let int): output.append(contentsOf: String(int).utf8)
        case .double(let double): output.append(contentsOf: Value.jsonNumber(double).utf8)
        case .string(let string): Value.writeString(string, to: &output, escapeNonASCII: format.escapeNonASCII)
        case .array(let array):
            if array.isEmpty {
                output.append(contentsOf: "[]".utf8)
                return
            }
            output.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { output.append(contentsOf: format.itemSeparator.utf8) }
                Value.newline(&output, format: format, level: level + 1)
                element.write(to: &output, format: format, level: level + 1)
            }
            Value.newline(&output, format: format, level: level)
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty {
                output.append(contentsOf: "{}".utf8)
                return
            }
            output.append(UInt8(ascii: "{"))
            if format.sortKeys {
                for (index, key) in object.keys.sorted().enumerated() {
                    Value.writeMember(
                        key, object[key] ?? .null, first: index == 0, to: &output, format: format, level: level)
                }
            } else {
                for (index, (key, value)) in object.enumerated() {
                    Value.writeMember(key, value, first: index == 0, to: &output, format: format, level: level)
                }
            }
            Value.newline(&output, format: format, level: level)
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeMember(
        _ key: String, _ value: Value, first: Bool, to output: inout [UInt8], format: JSONFormat, level: Int
    ) {
        if !first { output.append(contentsOf: format.itemSeparator.utf8) }
        newline(&output, format: format, level: level + 1)
        writeString(key, to: &output, escapeNonASCII: format.escapeNonASCII)
        output.append(contentsOf: format.keySeparator.utf8)
        value.write(to: &output, format: format, level: level + 1)
    }

    private static func newline(_ output: inout [UInt8], format: JSONFormat, level: Int) {
        guard let indent = format.indent else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
    }

    /// Formats a double the way Python's `repr` does for the common cases (`5.0`, `0.1`, `1e+16`).
    static func jsonNumber(_ double: Double) -> String {
        if double.isNaN { return "NaN" }
        if double.isInfinite { return double < 0 ? "-Infinity" : "Infinity" }
        return double.description
    }

    /// Writes `string` as a quoted JSON string: runs of bytes that need no escape are copied at once.
    static func writeString(_ string: String, to output: inout [UInt8], escapeNonASCII: Bool) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            guard let base = UnsafeRawPointer(bytes.baseAddress) else { return }
            var runStart = 0
            var index = 0
            while index < bytes.count {
                // Eight bytes at a time while none of them needs an escape.
                while index + 8 <= bytes.count,
                    !wordNeedsEscape(base.loadUnaligned(fromByteOffset: index, as: UInt64.self), escapeNonASCII)
                {
                    index += 8
                }
                guard index < bytes.count else { break }
                let byte = bytes[index]
                if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
                    && (byte < 0x7F || !escapeNonASCII)
                {
                    index += 1
                    continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): output.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): output.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): output.append(contentsOf: #"\t"#.utf8)
                case 0x08: output.append(contentsOf: #"\b"#.utf8)
                case 0x0C: output.append(contentsOf: #"\f"#.utf8)
                case ..<0x20: unicodeEscape(UInt16(byte), to: &output)
                default:
                    // escapeNonASCII and a byte from 0x7F: escape the whole scalar as UTF-16 units.
                    let (scalar, length) = decodeScalar(bytes, at: index)
                    for unit in String(scalar).utf16 { unicodeEscape(unit, to: &output) }
                    index += length
                    runStart = index
                    continue
                }
                index += 1
                runStart = index
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Whether any of the eight bytes in `word` needs escaping in a JSON string: a control byte, `"`,
    /// `\\`, or (with `escapeNonASCII`) a byte from 0x7F. Exact, by the usual bit tricks for "has a
    /// byte less than n" and "has a zero byte".
    @inline(__always)
    private static func wordNeedsEscape(_ word: UInt64, _ escapeNonASCII: Bool) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highs != 0 }
        let hasControl = (word &- ones &* 0x20) & ~word & highs != 0
        let hasQuote = hasZeroByte(word ^ (ones &* 0x22))
        let hasBackslash = hasZeroByte(word ^ (ones &* 0x5C))
        guard escapeNonASCII else { return hasControl || hasQuote || hasBackslash }
        return hasControl || hasQuote || hasBackslash || word & highs != 0 || hasZeroByte(word ^ (ones &* 0x7F))
    }

    /// The scalar whose UTF-8 encoding starts at `index` of valid UTF-8, and its length in bytes.
    private static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int) {
        let lead = UInt32(bytes[index])
        let length: Int
        var value: UInt32
        switch lead {
        case ..<0x80: return (Unicode.Scalar(UInt8(lead)), 1)
        case 0xC0..<0xE0: (length, value) = (2, lead & 0x1F)
        case 0xE0..<0xF0: (length, value) = (3, lead & 0x0F)
        default: (length, value) = (4, lead & 0x07)
        }
        for offset in 1..<length where index + offset < bytes.count {
            value = value << 6 | (UInt32(bytes[index + offset]) & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    private static func unicodeEscape(_ unit: UInt16, to output: inout [UInt8]) {
        output.append(contentsOf: #"\u"#.utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            let nibble = UInt8(truncatingIfNeeded: unit >> UInt16(shift)) & 0xF
            output.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble)
        }
    }
}

extension Value: Codable {
    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        if var unkeyed = try? decoder.unkeyedContainer() {
            var elements: [Value] = []
            while !unkeyed.isAtEnd { elements.append(try unkeyed.decode(Value.self)) }
            self = .array(elements)
            return
        }
        if let keyed = try? decoder.container(keyedBy: AnyCodingKey.self) {
            var object: [(String, Value)] = []
            for key in keyed.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                object.append((key.stringValue, try keyed.decode(Value.self, forKey: key)))
            }
            self = .object(.init(object, uniquingKeysWith: { _, last in last }))
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let bool = try? single.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? single.decode(Int.self) {
            self = .int(int)
        } else if let double = try? single.decode(Double.self) {
            self = .double(double)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    /// Encodes the value as the JSON it represents.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let bool):
            var single = encoder.singleValueContainer()
            try single.encode(bool)
        case .int(let int):
            var single = encoder.singleValueContainer()
            try single.encode(int)
        case .double(let double):
            var single = encoder.singleValueContainer()
            try single.encode(double)
        case .string(let string):
            var single = encoder.singleValueContainer()
            try single.encode(string)
        case .array(let array):
            var unkeyed = encoder.unkeyedContainer()
            for element in array { try unkeyed.encode(element) }
        case .object(let object):
            var keyed = encoder.container(keyedBy: AnyCodingKey.self)
            for (key, value) in object { try keyed.encode(value, forKey: AnyCodingKey(key)) }
        }
    }
}

/// A coding key for arbitrary object member names.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
