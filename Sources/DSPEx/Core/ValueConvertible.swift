import Foundation

/// A Swift type that can be a signature field: it knows its ``FieldType`` and converts to and
/// from ``Value``.
///
/// `String`, `Int`, `Double`, `Bool`, `Value`, arrays and optionals of conforming types conform.
/// A `String`-backed `CaseIterable` enum becomes a `Literal[...]` field by declaring conformance:
///
/// ```swift
/// enum Sentiment: String, CaseIterable, ValueConvertible { case positive, negative }
/// ```
public protocol ValueConvertible: Sendable {
    /// The field type this Swift type stands for.
    static var fieldType: FieldType { get }
    /// Converts a value, or throws ``ValueConversionError``.
    init(value: Value) throws
    /// This instance as a value.
    var value: Value { get }
}

/// A ``Value`` that does not fit the Swift type a field asked for.
public struct ValueConversionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field being converted, when known.
    public var field: String?
    /// The expected type.
    public var expected: FieldType
    /// The value found.
    public var found: Value

    /// Creates an error.
    public init(field: String? = nil, expected: FieldType, found: Value) {
        self.field = field
        self.expected = expected
        self.found = found
    }

    public var description: String {
        let subject = field.map { "field '\($0)'" } ?? "value"
        return "\(subject) expected \(expected.pythonName) but found \(found.jsonString())"
    }
}

extension String: ValueConvertible {
    public static var fieldType: FieldType { .string }
    public init(value: Value) throws {
        switch value {
        case .string(let string): self = string
        case .null: throw ValueConversionError(expected: .string, found: value)
        default: self = value.plainText
        }
    }
    public var value: Value { .string(self) }
}

extension Int: ValueConvertible {
    public static var fieldType: FieldType { .int }
    public init(value: Value) throws {
        if let int = value.intValue {
            self = int
        } else if let string = value.stringValue, let int = Int(string.trimmingCharacters(in: .whitespaces)) {
            self = int
        } else {
            throw ValueConversionError(expected: .int, found: value)
        }
    }
    public var value: Value { .int(self) }
}

extension Double: ValueConvertible {
    public static var fieldType: FieldType { .double }
    public init(value: Value) throws {
        if let double = value.doubleValue {
            self = double
        } else if let string = value.stringValue, let double = Double(string.trimmingCharacters(in: .whitespaces)) {
            self = double
        } else {
            throw ValueConversionError(expected: .double, found: value)
        }
    }
    public var value: Value { .double(self) }
}

extension Bool: ValueConvertible {
    public static var fieldType: FieldType { .bool }
    public init(value: Value) throws {
        switch value {
        case .bool(let bool): self = bool
        case .string(let string) where ["true", "false"].contains(string.lowercased()):
            self = string.lowercased() == "true"
        default: throw ValueConversionError(expected: .bool, found: value)
        }
    }
    public var value: Value { .bool(self) }
}

extension Value: ValueConvertible {
    public static var fieldType: FieldType { .json }
    public init(value: Value) throws { self = value }
    public var value: Value { self }
}

extension Array: ValueConvertible where Element: ValueConvertible {
    public static var fieldType: FieldType { .list(Element.fieldType) }
    public init(value: Value) throws {
        guard case .array(let elements) = value else {
            throw ValueConversionError(expected: Self.fieldType, found: value)
        }
        self = try elements.map { try Element(value: $0) }
    }
    public var value: Value { .array(map(\.value)) }
}

extension Optional: ValueConvertible where Wrapped: ValueConvertible {
    public static var fieldType: FieldType { .optional(Wrapped.fieldType) }
    public init(value: Value) throws {
        if value.isNull {
            self = .none
        } else {
            self = .some(try Wrapped(value: value))
        }
    }
    public var value: Value { map(\.value) ?? .null }
}

extension ValueConvertible where Self: CaseIterable & RawRepresentable, RawValue == String {
    /// A `Literal[...]` of the raw values.
    public static var fieldType: FieldType { .literal(allCases.map(\.rawValue)) }
    /// Matches the raw value, ignoring case and surrounding quotes as DSPy's parser does.
    public init(value: Value) throws {
        guard let text = value.stringValue else {
            throw ValueConversionError(expected: Self.fieldType, found: value)
        }
        let cleaned = text.trimmingCharacters(in: .whitespaces).trimmingCharacters(
            in: CharacterSet(charactersIn: "'\""))
        if let exact = Self(rawValue: cleaned) {
            self = exact
        } else if let match = Self.allCases.first(where: { $0.rawValue.lowercased() == cleaned.lowercased() }) {
            self = match
        } else {
            throw ValueConversionError(expected: Self.fieldType, found: value)
        }
    }
    /// The raw value as a string.
    public var value: Value { .string(rawValue) }
}

extension Value {
    /// Converts the member `field` of `values` to `T`; an absent member converts as `null`.
    ///
    /// - Throws: ``ValueConversionError`` naming the field.
    public static func decode<T: ValueConvertible>(
        _ type: T.Type, field: String, from values: [String: Value]
    ) throws -> T {
        let value = values[field] ?? .null
        do {
            return try T(value: value)
        } catch var error as ValueConversionError {
            error.field = field
            throw error
        }
    }
}
