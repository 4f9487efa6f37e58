extension Value {
    /// Writes this value as JSON text in the given format.
    ///
    /// ```swift
    /// Value(["a": 1, "b": [true, nil]]).jsonString(.python) // {"a": 1, "b": [true, null]}
    /// ```
    public func jsonString(_ format: JSONFormat = .compact) -> String {
        var output = ""
        output.reserveCapacity(64)
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

    private func write(to output: inout String, format: JSONFormat, level: Int) {
        switch self {
        case .null: output += "null"
        case .bool(let bool): output += bool ? "true" : "false"
        case .int(let int): output += String(int)
        case .double(let double): output += Value.jsonNumber(double)
        case .string(let string): Value.writeString(string, to: &output, escapeNonASCII: format.escapeNonASCII)
        case .array(let array):
            if array.isEmpty {
                output += "[]"
                return
            }
            output += "["
            for (index, element) in array.enumerated() {
                if index > 0 { output += format.itemSeparator }
                Value.newline(&output, format: format, level: level + 1)
                element.write(to: &output, format: format, level: level + 1)
            }
            Value.newline(&output, format: format, level: level)
            output += "]"
        case .object(let object):
            if object.isEmpty {
                output += "{}"
                return
            }
            output += "{"
            let keys = format.sortKeys ? object.keys.sorted() : Array(object.keys)
            for (index, key) in keys.enumerated() {
                if index > 0 { output += format.itemSeparator }
                Value.newline(&output, format: format, level: level + 1)
                Value.writeString(key, to: &output, escapeNonASCII: format.escapeNonASCII)
                output += format.keySeparator
                (object[key] ?? .null).write(to: &output, format: format, level: level + 1)
            }
            Value.newline(&output, format: format, level: level)
            output += "}"
        }
    }

    private static func newline(_ output: inout String, format: JSONFormat, level: Int) {
        guard let indent = format.indent else { return }
        output += "\n"
        output += String(repeating: " ", count: indent * level)
    }

    /// Formats a double the way Python's `repr` does for the common cases (`5.0`, `0.1`, `1e+16`).
    static func jsonNumber(_ double: Double) -> String {
        if double.isNaN { return "NaN" }
        if double.isInfinite { return double < 0 ? "-Infinity" : "Infinity" }
        return double.description
    }

    static func writeString(_ string: String, to output: inout String, escapeNonASCII: Bool) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    output += unicodeEscape(UInt16(scalar.value))
                } else if escapeNonASCII && scalar.value > 0x7E {
                    for unit in String(scalar).utf16 { output += unicodeEscape(unit) }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    private static func unicodeEscape(_ unit: UInt16) -> String {
        let hex = String(unit, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
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
