import Foundation
import OrderedCollections

/// DSPy's `parse_value`: reads a field's text (or a JSON value) as the field's type, with the
/// lax coercions pydantic applies (`"8"` → 8, `8.0` → 8, `"true"`/`yes` → true, Python literals).
enum ValueParsing {
    /// Why a value does not fit a type.
    struct Mismatch: Error {
        var message: String
    }

    /// Parses the text of a section.
    ///
    /// Tolerance beyond DSPy: when the whole text of a typed (non-string) field does not parse, its
    /// first line is tried, so a value followed by prose or a code fence (`True` then "```", `42` then an
    /// explanation) — what small models write — still reads. The first error is reported otherwise.
    static func parse(text: String, as type: FieldType) throws(Mismatch) -> Value {
        do {
            return try parseWhole(text: text, as: type)
        } catch {
            guard type.unwrapped != .string, let line = firstLine(of: text), line != text.pythonStripped,
                let value = try? parseWhole(text: line, as: type)
            else { throw error }
            return value
        }
    }

    /// The first line with content, skipping code-fence lines, without surrounding backticks.
    static func firstLine(of text: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = String(line).pythonStripped
            if trimmed.isEmpty || trimmed.hasPrefix("```") { continue }
            let unquoted = trimmed.trimmingCharacters(in: CharacterSet(charactersIn: "`")).pythonStripped
            return unquoted.isEmpty ? nil : unquoted
        }
        return nil
    }

    private static func parseWhole(text: String, as type: FieldType) throws(Mismatch) -> Value {
        switch type {
        case .string:
            return .string(text)
        case .literal(let options):
            return try literal(.string(text), options: options)
        case .optional(let wrapped):
            let trimmed = text.pythonStripped
            if wrapped.unwrapped == .string { return .string(text) }
            if trimmed.isEmpty || trimmed == "None" || trimmed == "null" { return .null }
            return try parseWhole(text: text, as: wrapped)
        default:
            let trimmed = text.pythonStripped
            let candidate =
                JSONParser.parseLenient(trimmed) ?? JSONParser.parseLenient(stripFences(trimmed))
                ?? .string(trimmed)
            return try validate(candidate, as: type)
        }
    }

    /// Checks and coerces an already-structured value (from JSON) against a type.
    static func validate(_ value: Value, as type: FieldType) throws(Mismatch) -> Value {
        switch type {
        case .string:
            return .string(value.plainText)
        case .int:
            if let int = value.intValue, value.boolValue == nil { return .int(int) }
            if case .double(let double) = value {
                throw Mismatch(message: "expected an int but found \(double), which has a fractional part")
            }
            if case .string(let string) = value {
                let trimmed = string.pythonStripped
                if let int = Int(trimmed) { return .int(int) }
                if let double = Double(trimmed), double.rounded() == double, abs(double) < 9e18 {
                    return .int(Int(double))
                }
            }
            if case .bool(let bool) = value { return .int(bool ? 1 : 0) }
            throw Mismatch(message: "expected an int but found \(describe(value))")
        case .double:
            if let double = value.doubleValue { return .double(double) }
            if case .string(let string) = value, let double = Double(string.pythonStripped) { return .double(double) }
            throw Mismatch(message: "expected a float but found \(describe(value))")
        case .bool:
            switch value {
            case .bool: return value
            case .int(let int) where int == 0 || int == 1: return .bool(int == 1)
            case .double(let double) where double == 0 || double == 1: return .bool(double == 1)
            case .string(let string):
                switch string.pythonStripped.lowercased() {
                case "true", "yes", "y", "t", "on", "1": return .bool(true)
                case "false", "no", "n", "f", "off", "0": return .bool(false)
                default: break
                }
            default: break
            }
            throw Mismatch(message: "expected True or False but found \(describe(value))")
        case .list(let element):
            var items: [Value]
            switch value {
            case .array(let array): items = array
            case .string(let string):
                guard let parsed = JSONParser.parseLenient(string.pythonStripped), case .array(let array) = parsed
                else {
                    throw Mismatch(message: "expected a list but found \(describe(value))")
                }
                items = array
            default: throw Mismatch(message: "expected a list but found \(describe(value))")
            }
            for index in items.indices { items[index] = try validate(items[index], as: element) }
            return .array(items)
        case .literal(let options):
            return try literal(value, options: options)
        case .json:
            switch value {
            case .object: return value
            case .string(let string):
                if let parsed = JSONParser.parseLenient(string.pythonStripped), case .object = parsed { return parsed }
            default: break
            }
            throw Mismatch(message: "expected a JSON object but found \(describe(value))")
        case .dictionary(let valueType):
            guard case .object(var members) = try validate(value, as: .json) else {
                throw Mismatch(message: "expected a JSON object but found \(describe(value))")
            }
            if valueType != .json {
                for key in members.keys { members[key] = try validate(members[key] ?? .null, as: valueType) }
            }
            return .object(members)
        case .optional(let wrapped):
            if value.isNull { return .null }
            return try validate(value, as: wrapped)
        case .toolList:
            guard case .array = value else {
                throw Mismatch(message: "expected a list of tools but found \(describe(value))")
            }
            return value
        case .toolCalls:
            return try toolCalls(value)
        }
    }

    /// DSPy's `ToolCalls.validate_input`: `{"tool_calls": [...]}`, a list of calls, or one call, each with `name`
    /// and `args` (or OpenAI's `function` shape), as `{"tool_calls": [{"name", "args"}]}`.
    private static func toolCalls(_ value: Value) throws(Mismatch) -> Value {
        var value = value
        if case .string(let text) = value, let parsed = JSONParser.parseLenient(text.pythonStripped) { value = parsed }
        let calls: [Value]
        if let list = value["tool_calls"]?.arrayValue {
            calls = list
        } else if let list = value.arrayValue {
            calls = list
        } else if value["name"] != nil || value["function"] != nil {
            calls = [value]
        } else {
            throw Mismatch(
                message: "expected tool calls ({\"tool_calls\": [{\"name\", \"args\"}]}) but found \(describe(value))")
        }
        var normalized: [Value] = []
        for call in calls {
            let function = call["function"] ?? call
            guard let name = function["name"]?.stringValue else {
                throw Mismatch(message: "a tool call has no 'name': \(describe(call))")
            }
            var args = function["args"] ?? function["arguments"] ?? [:]
            if case .string(let text) = args { args = JSONParser.parseLenient(text) ?? [:] }
            if case .object = args {} else { args = [:] }
            normalized.append(["name": .string(name), "args": args])
        }
        return ["tool_calls": .array(normalized)]
    }

    private static func literal(_ value: Value, options: [String]) throws(Mismatch) -> Value {
        guard case .string(let raw) = value else {
            let text = value.plainText
            if options.contains(text) { return .string(text) }
            throw Mismatch(message: "expected one of \(options) but found \(describe(value))")
        }
        if options.contains(raw) { return value }
        var text = raw.pythonStripped
        for wrapper in ["Literal[", "str["] where text.hasPrefix(wrapper) && text.hasSuffix("]") {
            text = String(text.dropFirst(wrapper.count).dropLast())
        }
        if text.count > 1, let first = text.first, first == text.last, first == "'" || first == "\"" {
            text = String(text.dropFirst().dropLast())
        }
        if options.contains(text) { return .string(text) }
        // Tolerance beyond DSPy: a unique case-insensitive match.
        let matches = options.filter { $0.lowercased() == text.lowercased() }
        if matches.count == 1 { return .string(matches[0]) }
        throw Mismatch(
            message: "expected exactly one of \(options.map { "'\($0)'" }.joined(separator: ", "))"
                + " but found \(describe(value))")
    }

    /// The text without a surrounding Markdown code fence (```json ... ```).
    static func stripFences(_ text: String) -> String {
        var trimmed = text.pythonStripped
        guard trimmed.hasPrefix("```") else { return trimmed }
        if let newline = trimmed.firstIndex(of: "\n") {
            trimmed = String(trimmed[trimmed.index(after: newline)...])
        } else {
            trimmed = String(trimmed.dropFirst(3))
        }
        if trimmed.hasSuffix("```") { trimmed = String(trimmed.dropLast(3)) }
        return trimmed.pythonStripped
    }

    private static func describe(_ value: Value) -> String {
        let text = value.jsonString()
        return text.count > 80 ? String(text.prefix(80)) + "…" : text
    }
}
