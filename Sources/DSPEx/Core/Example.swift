import Crypto
import Foundation
import OrderedCollections

/// One data point: named values, some of which are the inputs of a task.
///
/// Like DSPy's `Example`, it is a small record whose input keys are marked with
/// ``withInputs(_:)``; the remaining keys are labels. Its ``id`` is stable: the value of an
/// `id` field when the data has one, otherwise a hash of the content, so a resumed run
/// recognises the same example.
///
/// ```swift
/// let example = Example(["question": "What is 2 + 3?", "answer": "5"]).withInputs("question")
/// example.inputs    // ["question": "What is 2 + 3?"]
/// example.labels    // ["answer": "5"]
/// ```
public struct Example: Sendable, Hashable {
    /// Every value, in order.
    public var values: OrderedDictionary<String, Value>
    /// The keys that are inputs.
    public var inputKeys: [String]
    /// A stable identifier.
    public var id: String

    /// Creates an example; `id` defaults to the `id` value or a content hash.
    public init(_ values: OrderedDictionary<String, Value>, inputKeys: [String] = [], id: String? = nil) {
        self.values = values
        self.inputKeys = inputKeys
        self.id = id ?? values["id"]?.plainText ?? Example.contentHash(values)
    }

    /// A copy whose inputs are `keys`.
    public func withInputs(_ keys: String...) -> Example {
        withInputs(keys)
    }

    /// A copy whose inputs are `keys`.
    public func withInputs(_ keys: [String]) -> Example {
        var copy = self
        copy.inputKeys = keys
        return copy
    }

    /// The input values, in order.
    public var inputs: OrderedDictionary<String, Value> {
        values.filter { inputKeys.contains($0.key) }
    }

    /// The values that are not inputs (the labels), in order.
    public var labels: OrderedDictionary<String, Value> {
        values.filter { !inputKeys.contains($0.key) }
    }

    /// The value named `key`.
    public subscript(key: String) -> Value? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// The first 16 hex digits of the SHA-256 of the values as sorted-key JSON.
    static func contentHash(_ values: OrderedDictionary<String, Value>) -> String {
        let text = Value.object(values).jsonString(JSONFormat(sortKeys: true))
        return String(SHA256.hexDigest(of: text.utf8).prefix(16))
    }
}

extension Example: ExpressibleByDictionaryLiteral {
    /// An example with no inputs marked.
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(OrderedDictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
