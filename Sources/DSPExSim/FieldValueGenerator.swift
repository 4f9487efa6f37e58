import struct DSPEx.SeededGenerator

/// Produces a plausible, deterministic value of a given ``FieldType``.
///
/// Strings are short texts derived from the request's inputs; numbers, booleans and
/// choices come from a ``SeededGenerator`` seeded by the prompt hash, the server seed,
/// the choice index and the field name, so a given prompt always gets the same values.
struct FieldValueGenerator {
    private var random: SeededGenerator
    private let topic: String

    /// - Parameters:
    ///   - seed: The bits that determine every value (prompt hash, server seed, choice and field mixed together).
    ///   - topic: A short excerpt of the inputs that string values mention.
    init(seed: UInt64, topic: String) {
        self.random = SeededGenerator(state: seed)
        self.topic = topic
    }

    /// A value for `field`, as JSON.
    mutating func value(for field: OutputField) -> JSONValue {
        if field.isReasoning, field.type == .string {
            return .string("Let's think step by step about \(self.topic) and answer directly.")
        }
        if field.type == .string, field.name.lowercased().contains("instruction") {
            return .string(Self.instructions[Int(self.random.next() % UInt64(Self.instructions.count))])
        }
        return self.value(of: field.type, named: field.name, depth: 0)
    }

    mutating func value(of type: FieldType, named name: String, depth: Int) -> JSONValue {
        switch type {
        case .string:
            return .string(self.text(named: name))
        case .integer:
            return .number(Double(self.random.next() % 100))
        case .number:
            return .number(Double(self.random.next() % 10_000) / 100)
        case .boolean:
            return .bool(self.random.next() & 1 == 1)
        case .list(let element):
            guard depth < 4 else { return .array([]) }
            let count = 2 + Int(self.random.next() % 2)
            return .array(
                (0..<count).map { self.value(of: element, named: "\(name) item \($0 + 1)", depth: depth + 1) })
        case .literal(let options):
            guard !options.isEmpty else { return .string(self.text(named: name)) }
            return Self.json(of: options[Int(self.random.next() % UInt64(options.count))])
        case .dictionary(let key, let value):
            guard depth < 4 else { return .object([]) }
            let keyText: (Int) -> String = { index in
                key == .integer ? String(index + 1) : "key_\(index + 1)"
            }
            return .object(
                (0..<2).map { index in
                    (keyText(index), self.value(of: value, named: "\(name) value \(index + 1)", depth: depth + 1))
                })
        case .custom(_, let schema?):
            return self.value(following: schema, root: schema, named: name, depth: depth)
        case .custom:
            return .string(self.text(named: name))
        }
    }

    /// A value that satisfies a (simple) JSON schema: `type`, `properties`, `items`, `enum`, `const`, `anyOf`,
    /// and local `$ref`s into `$defs`.
    mutating func value(following schema: JSONValue, root: JSONValue, named name: String, depth: Int) -> JSONValue {
        guard depth < 6 else { return .null }
        if let reference = schema["$ref"]?.stringValue {
            let target = reference.split(separator: "/").last.map(String.init) ?? ""
            let definition = root["$defs"]?[target] ?? root["definitions"]?[target]
            guard let definition else { return .string(self.text(named: name)) }
            return self.value(following: definition, root: root, named: name, depth: depth + 1)
        }
        if let constant = schema["const"] { return constant }
        if let options = schema["enum"]?.arrayValue, !options.isEmpty {
            return options[Int(self.random.next() % UInt64(options.count))]
        }
        if let choices = (schema["anyOf"] ?? schema["oneOf"])?.arrayValue {
            let preferred = choices.first { $0["type"]?.stringValue != "null" } ?? choices.first
            if let preferred { return self.value(following: preferred, root: root, named: name, depth: depth + 1) }
        }
        var type = schema["type"]?.stringValue
        if type == nil, let types = schema["type"]?.arrayValue {
            type = types.compactMap(\.stringValue).first { $0 != "null" }
        }
        if type == nil, schema["properties"] != nil {
            type = "object"
        }
        switch type {
        case "integer": return self.value(of: .integer, named: name, depth: depth)
        case "number": return self.value(of: .number, named: name, depth: depth)
        case "boolean": return self.value(of: .boolean, named: name, depth: depth)
        case "null": return .null
        case "array":
            let items = schema["items"] ?? .object([])
            return .array(
                (0..<2).map {
                    self.value(following: items, root: root, named: "\(name) item \($0 + 1)", depth: depth + 1)
                }
            )
        case "object":
            let properties = schema["properties"]?.objectValue ?? []
            return .object(
                properties.map {
                    ($0.key, self.value(following: $0.value, root: root, named: $0.key, depth: depth + 1))
                }
            )
        default:
            return .string(self.text(named: name))
        }
    }

    /// What the simulator proposes when asked for an instruction (an optimizer's proposal step): some carry a
    /// phrase that ``ArithmeticOracle`` rewards, so instruction search has something to find.
    static let instructions = [
        "Answer the question directly with the final result only.",
        "Work through the problem step by step, then give the final answer.",
        "You are a meticulous accountant. Read the question and report the exact result.",
        "Read the question carefully and compute the exact answer.",
        "Give the answer in as few words as possible.",
        "Compute the result, double-check it, and reply with the number.",
    ]

    /// A short text naming the field and the inputs, with a tag that differs between samples.
    private mutating func text(named name: String) -> String {
        let tag = String(self.random.next() % 0x10000, radix: 16)
        return "Simulated \(name.replacingUnderscores) for \(self.topic) (\(tag))"
    }

    /// The JSON form of a `Literal[...]` option: numbers, `True`/`False` and `None` unquoted.
    static func json(of option: FieldType.LiteralOption) -> JSONValue {
        guard !option.isString else { return .string(option.text) }
        switch option.text {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .null
        default: return Double(option.text).map(JSONValue.number) ?? .string(option.text)
        }
    }

    /// A short excerpt of `inputs` for generated texts: the first input's first few words.
    static func topic(of inputs: [(name: String, value: String)], fallback: String) -> String {
        let source = String(decoding: (inputs.first?.value ?? fallback).utf8.prefix(400), as: UTF8.self)
        var words: [Substring] = []
        for word in source.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            words.append(word)
            if words.count == 8 { break }
        }
        let excerpt = words.joined(separator: " ")
        guard !excerpt.isEmpty else { return "the request" }
        return "“" + (excerpt.utf8.count > 80 ? String(excerpt.prefix(80)) : excerpt) + "”"
    }
}

extension String {
    /// The text with underscores replaced by spaces (`final_answer` → `final answer`).
    fileprivate var replacingUnderscores: String {
        String(self.map { $0 == "_" ? " " : $0 })
    }
}
