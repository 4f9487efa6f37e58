import Foundation
import OrderedCollections

/// How DSPy renders field types, values and notes in prompts (`dspy/adapters/utils.py`).
///
/// Shared by ``ChatAdapter`` and ``JSONAdapter`` so both produce DSPy's exact text.
enum FieldFormatting {
    /// The annotation DSPy shows for a type: `str`, `list[int]`, `Union[int, NoneType]`, `dict`.
    static func annotationName(_ type: FieldType) -> String {
        switch type {
        case .string: return "str"
        case .int: return "int"
        case .double: return "float"
        case .bool: return "bool"
        case .json: return "dict"
        case .dictionary(let value): return "dict[str, \(value == .json ? "Any" : annotationName(value))]"
        case .list(let element): return "list[\(annotationName(element))]"
        case .literal(let options): return "Literal[" + options.map(literalQuoted).joined(separator: ", ") + "]"
        case .optional(let wrapped): return "Union[\(annotationName(wrapped)), NoneType]"
        case .toolList: return "list[Tool]"
        case .toolCalls: return "ToolCalls"
        }
    }

    /// DSPy's `_quoted_string_for_literal_type_annotation`.
    static func literalQuoted(_ option: String) -> String {
        let hasSingle = option.contains("'")
        let hasDouble = option.contains("\"")
        if hasSingle && !hasDouble { return "\"\(option)\"" }
        if hasSingle && hasDouble { return "'" + option.replacingOccurrences(of: "'", with: "\\'") + "'" }
        return "'\(option)'"
    }

    /// DSPy's `format_field_value`: a list given to a `str` field becomes a numbered list of «blobs»,
    /// objects and arrays become JSON, everything else Python's `str()`.
    static func formatValue(_ value: Value, for type: FieldType) -> String {
        if case .array(let elements) = value, type == .string {
            return numberedList(elements)
        }
        if case .array(let definitions) = value, type.unwrapped == .toolList {
            // DSPy serialises each `dspy.Tool` as its `str()`: the line ReAct lists it with.
            return Value.array(definitions.map { .string(ToolDescription.line(ofDefinition: $0)) })
                .jsonString(.pythonUnicode)
        }
        switch value {
        case .array, .object: return value.jsonString(.pythonUnicode)
        default: return pythonString(value)
        }
    }

    /// Python's `str()` of a scalar.
    static func pythonString(_ value: Value) -> String {
        switch value {
        case .null: return "None"
        case .bool(let bool): return bool ? "True" : "False"
        case .int(let int): return String(int)
        case .double(let double): return Value.jsonNumber(double)
        case .string(let string): return string
        case .array, .object: return value.jsonString(.pythonUnicode)
        }
    }

    private static func numberedList(_ elements: [Value]) -> String {
        if elements.isEmpty { return "N/A" }
        if elements.count == 1 { return blob(elements[0].plainText) }
        return elements.enumerated().map { "[\($0.offset + 1)] \(blob($0.element.plainText))" }
            .joined(separator: "\n")
    }

    private static func blob(_ text: String) -> String {
        if !text.contains("\n") && !text.contains("«") && !text.contains("»") { return "«\(text)»" }
        return "«««\n    " + text.replacingOccurrences(of: "\n", with: "\n    ") + "\n»»»"
    }

    /// DSPy's `translate_field_type`: the `{name}` placeholder plus a note on what an output must be.
    static func placeholder(for field: Field, isInput: Bool) -> String {
        let note: String?
        switch field.type {
        case _ where isInput: note = nil
        case .string: note = nil
        case .bool: note = "must be True or False"
        case .int: note = "must be a single int value"
        case .double: note = "must be a single float value"
        case .literal(let options):
            note = "must exactly match (no extra characters) one of: " + options.joined(separator: "; ")
        default:
            note = "must adhere to the JSON schema: " + jsonSchema(for: field.type).jsonString(.pythonUnicode)
        }
        guard let note else { return "{\(field.name)}" }
        return "{\(field.name)}" + String(repeating: " ", count: 8) + "# note: the value you produce " + note
    }

    /// The JSON schema pydantic gives a type, with `type` first and the other keys sorted (as DSPy orders it).
    static func jsonSchema(for type: FieldType) -> Value {
        type == .toolCalls ? toolCallsSchema : typeFirst(pydanticSchema(for: type))
    }

    /// The JSON schema pydantic's `TypeAdapter(type).json_schema()` gives, in pydantic's own key order (how a
    /// `dspy.Tool` shows its arguments).
    static func pydanticSchema(for type: FieldType) -> Value {
        switch type {
        case .string: return ["type": "string"]
        case .int: return ["type": "integer"]
        case .double: return ["type": "number"]
        case .bool: return ["type": "boolean"]
        case .json, .dictionary(.json): return ["additionalProperties": true, "type": "object"]
        case .dictionary(let value): return ["additionalProperties": pydanticSchema(for: value), "type": "object"]
        case .list(let element): return ["items": pydanticSchema(for: element), "type": "array"]
        case .literal(let options):
            if options.count == 1 { return ["const": .string(options[0]), "type": "string"] }
            return ["enum": .array(options.map(Value.string)), "type": "string"]
        case .optional(let wrapped): return ["anyOf": [pydanticSchema(for: wrapped), ["type": "null"]]]
        case .toolList: return ["items": ["type": "object"], "type": "array"]
        case .toolCalls: return toolCallsSchema
        }
    }

    /// The schema DSPy shows for `dspy.ToolCalls`, in its order (already `type` first).
    static let toolCallsSchema: Value = [
        "type": "object",
        "$defs": [
            "ToolCall": [
                "type": "object",
                "properties": [
                    "args": ["type": "object", "additionalProperties": true, "title": "Args"],
                    "name": ["type": "string", "title": "Name"],
                ],
                "required": ["name", "args"], "title": "ToolCall",
            ]
        ],
        "properties": ["tool_calls": ["type": "array", "items": ["$ref": "#/$defs/ToolCall"], "title": "Tool Calls"]],
        "required": ["tool_calls"], "title": "ToolCalls",
    ]

    /// DSPy's `ToolCalls.description()`, shown under the field in the system message.
    static let toolCallsDescription =
        "Tool calls must be a JSON object with `tool_calls`, a list of calls. Each call must include `name` and "
        + "`args`. Example: {\"tool_calls\": [{\"name\": \"search\", \"args\": {\"query\": \"cats\"}}]}"

    /// DSPy's `move_type_to_front`: in every object, `type` first and the other keys sorted.
    static func typeFirst(_ schema: Value) -> Value {
        switch schema {
        case .object(let members):
            let keys = members.keys.sorted { left, right in
                left == "type" || (right != "type" && left < right)
            }
            return .object(OrderedDictionary(uniqueKeysWithValues: keys.map { ($0, typeFirst(members[$0] ?? .null)) }))
        case .array(let elements): return .array(elements.map(typeFirst))
        default: return schema
        }
    }

    /// DSPy's `get_field_description_string`: `1. `name` (type): description` lines.
    static func fieldList(_ fields: [Field]) -> String {
        fields.enumerated().map { index, field in
            var description = field.description ?? ""
            if field.type.unwrapped == .toolCalls {
                description += "\n    Type description of ToolCalls: " + toolCallsDescription
            }
            return "\(index + 1). `\(field.name)` (\(annotationName(field.type))): \(description)"
        }.joined(separator: "\n").pythonStripped
    }

    /// DSPy's `format_task_description`: the dedented instructions, each line indented by eight spaces.
    static func taskDescription(_ instructions: String) -> String {
        let lines = dedent(instructions).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let splitLines = instructions.hasSuffix("\n") ? Array(lines.dropLast()) : lines
        let objective = ([""] + splitLines).joined(separator: "\n" + String(repeating: " ", count: 8))
        return "In adhering to this structure, your objective is: " + objective
    }

    /// Python's `textwrap.dedent`: removes the common leading whitespace; blank lines become empty.
    static func dedent(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let margins = lines.filter { !$0.allSatisfy { $0 == " " || $0 == "\t" } }
            .map { $0.prefix { $0 == " " || $0 == "\t" } }
        guard var common = margins.first.map(String.init) else {
            return lines.map { _ in "" }.joined(separator: "\n")
        }
        for margin in margins.dropFirst() {
            while !margin.hasPrefix(common) { common.removeLast() }
        }
        return lines.map { line -> String in
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { return "" }
            return String(line.dropFirst(common.count))
        }.joined(separator: "\n")
    }

    /// The `[[ ## name ## ]]` marker that opens a field's section.
    static func marker(_ name: String) -> String { "[[ ## \(name) ## ]]" }

    /// Sections `[[ ## name ## ]]\nvalue` joined by blank lines, stripped (`format_field_with_value`).
    static func sections(_ fields: [(Field, String)]) -> String {
        fields.map { marker($0.0.name) + "\n" + $0.1 }.joined(separator: "\n\n").pythonStripped
    }
}

extension String {
    /// Python's `str.strip()`: without leading and trailing whitespace.
    var pythonStripped: String {
        // Fast path: ASCII whitespace at the ends is trimmed on bytes; a non-ASCII scalar at either
        // end (which may be Unicode whitespace) takes the general path below.
        enum Trim {
            case unchanged, trimmed(String), general
        }
        var copy = self
        let trim: Trim = copy.withUTF8 { bytes in
            func isASCIIWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
            var start = 0
            var end = bytes.count
            while start < end, isASCIIWhitespace(bytes[start]) { start += 1 }
            while end > start, isASCIIWhitespace(bytes[end - 1]) { end -= 1 }
            guard start == end || (bytes[start] < 0x80 && bytes[end - 1] < 0x80) else { return .general }
            if start == 0, end == bytes.count { return .unchanged }
            return .trimmed(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
        }
        switch trim {
        case .unchanged: return self
        case .trimmed(let text): return text
        case .general: break
        }
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
