/// The type of a DSPy output field, read from the Python annotation DSPy prints in its prompts.
///
/// DSPy writes annotations with `get_annotation_name`: `str`, `int`, `list[str]`,
/// `Literal['yes', 'no']`, `dict[str, Any]`, `Union[int, NoneType]`, or a class name for
/// custom types. ``parse(_:)`` reads any of these; names it does not know become
/// ``custom(_:schema:)`` so the simulator can still answer from the JSON schema DSPy adds.
indirect enum FieldType: Sendable, Equatable {
    case string
    case integer
    case number
    case boolean
    case list(FieldType)
    case literal([LiteralOption])
    case dictionary(key: FieldType, value: FieldType)
    /// A type the simulator does not know by name, with the JSON schema from the prompt when DSPy printed one.
    case custom(String, schema: JSONValue?)

    /// One allowed value of a `Literal[...]` annotation.
    struct LiteralOption: Sendable, Equatable {
        /// The value as the model should write it in the chat format (no quotes).
        var text: String
        /// Whether the option is a string (quoted in JSON) rather than a number, bool or None.
        var isString: Bool
    }

    /// Whether a value of this type is a number the arithmetic task can put its answer in.
    var isNumeric: Bool {
        self == .integer || self == .number
    }

    /// Reads a Python annotation name such as `list[dict[str, int]]`.
    static func parse(_ annotation: String) -> FieldType {
        var reader = AnnotationReader(Array(annotation.utf8))
        return reader.readType() ?? .string
    }
}

/// A recursive-descent reader for Python annotation names.
private struct AnnotationReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func readType() -> FieldType? {
        self.skipSpaces()
        let name = self.readName()
        guard !name.isEmpty else { return nil }
        self.skipSpaces()
        guard self.peek() == UInt8(ascii: "[") else {
            return Self.simpleType(named: name)
        }
        self.index += 1
        if name == "Literal" {
            return .literal(self.readLiteralOptions())
        }
        var arguments: [FieldType] = []
        var argumentNames: [String] = []
        while let byte = self.peek(), byte != UInt8(ascii: "]") {
            let start = self.index
            if let argument = self.readType() {
                arguments.append(argument)
                argumentNames.append(String(decoding: self.bytes[start..<self.index], as: UTF8.self))
            } else {
                self.index += 1
            }
            self.skipSpaces()
            if self.peek() == UInt8(ascii: ",") { self.index += 1 }
        }
        if self.peek() == UInt8(ascii: "]") { self.index += 1 }
        return Self.genericType(named: name, arguments: arguments, argumentNames: argumentNames)
    }

    private static func simpleType(named name: String) -> FieldType {
        switch Self.baseName(name) {
        case "str", "Any", "NoneType", "None", "object", "bytes": return .string
        case "int": return .integer
        case "float", "Decimal": return .number
        case "bool": return .boolean
        case "list", "List", "set", "Set", "tuple", "Tuple", "Sequence", "frozenset": return .list(.string)
        case "dict", "Dict", "Mapping": return .dictionary(key: .string, value: .string)
        default: return .custom(name, schema: nil)
        }
    }

    private static func genericType(named name: String, arguments: [FieldType], argumentNames: [String]) -> FieldType {
        switch Self.baseName(name) {
        case "list", "List", "set", "Set", "Sequence", "frozenset", "tuple", "Tuple":
            return .list(arguments.first ?? .string)
        case "dict", "Dict", "Mapping":
            return .dictionary(key: arguments.first ?? .string, value: arguments.dropFirst().first ?? .string)
        case "Optional":
            return arguments.first ?? .string
        case "Union", "UnionType":
            for (argument, argumentName) in zip(arguments, argumentNames)
            where !argumentName.trimmingSpaces.hasSuffix("NoneType") {
                return argument
            }
            return .string
        default:
            return .custom(name, schema: nil)
        }
    }

    private static func baseName(_ name: String) -> Substring {
        name.split(separator: ".").last ?? Substring(name)
    }

    private mutating func readLiteralOptions() -> [FieldType.LiteralOption] {
        var options: [FieldType.LiteralOption] = []
        while true {
            self.skipSpaces()
            guard let byte = self.peek() else { return options }
            switch byte {
            case UInt8(ascii: "]"):
                self.index += 1
                return options
            case UInt8(ascii: ","):
                self.index += 1
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                options.append(.init(text: self.readQuoted(byte), isString: true))
            default:
                let start = self.index
                while let next = self.peek(), next != UInt8(ascii: ","), next != UInt8(ascii: "]") {
                    self.index += 1
                }
                let text = String(decoding: self.bytes[start..<self.index], as: UTF8.self).trimmingSpaces
                if !text.isEmpty {
                    options.append(.init(text: text, isString: false))
                }
            }
        }
    }

    private mutating func readQuoted(_ quote: UInt8) -> String {
        self.index += 1
        var text: [UInt8] = []
        while let byte = self.peek() {
            self.index += 1
            if byte == quote { break }
            if byte == UInt8(ascii: "\\"), let escaped = self.peek() {
                self.index += 1
                text.append(escaped)
            } else {
                text.append(byte)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    private mutating func readName() -> String {
        let start = self.index
        while let byte = self.peek(),
            byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
        {
            self.index += 1
        }
        return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
    }

    private mutating func skipSpaces() {
        while self.peek() == UInt8(ascii: " ") { self.index += 1 }
    }

    private func peek() -> UInt8? {
        self.index < self.bytes.count ? self.bytes[self.index] : nil
    }
}
