import OrderedCollections

/// A JSON-like value: everything that crosses a stage boundary, an adapter or the store is a `Value`.
///
/// Objects keep their key order, so prompts and saved programs render fields in the order
/// they were written, as DSPy's Python dictionaries do.
///
/// ```swift
/// let value: Value = ["question": "What is 2 + 3?", "answer": 5]
/// value["answer"]?.intValue // 5
/// ```
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    case object(OrderedDictionary<String, Value>)
}

extension Value {
    /// The string if this is `.string`.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The integer if this is `.int`, or a `.double` with no fractional part.
    public var intValue: Int? {
        switch self {
        case .int(let int): return int
        case .double(let double) where double.rounded() == double && abs(double) < 9e18: return Int(double)
        default: return nil
        }
    }

    /// The number as a `Double` if this is `.int` or `.double`.
    public var doubleValue: Double? {
        switch self {
        case .int(let int): return Double(int)
        case .double(let double): return double
        default: return nil
        }
    }

    /// The Boolean if this is `.bool`.
    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    /// The elements if this is `.array`.
    public var arrayValue: [Value]? {
        if case .array(let array) = self { return array }
        return nil
    }

    /// The members if this is `.object`.
    public var objectValue: OrderedDictionary<String, Value>? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// Whether this is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The member named `key` of an object, or `nil`.
    public subscript(key: String) -> Value? {
        objectValue?[key]
    }

    /// The element at `index` of an array, or `nil`.
    public subscript(index: Int) -> Value? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }

    /// The text a person would read for this value: strings bare, everything else as compact JSON.
    public var plainText: String {
        if case .string(let string) = self { return string }
        return jsonString()
    }
}

extension Value: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension Value: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension Value: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension Value: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension Value: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension Value: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
}

extension Value: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .object(OrderedDictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
