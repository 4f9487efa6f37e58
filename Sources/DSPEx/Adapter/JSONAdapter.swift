import Foundation
import OrderedCollections

/// Asks the model for a JSON object holding every output field, as DSPy's `JSONAdapter` does.
///
/// Requests carry a `response_format`: an OpenAI structured-output JSON schema built from the
/// output fields (named `DSPyProgramOutputs`, strict), or plain JSON mode when an output is an
/// open-ended object. Replies are read leniently: code fences, prose around the object, single
/// quotes and trailing commas are tolerated.
public struct JSONAdapter: Adapter {
    /// Which `response_format` requests carry.
    public struct ResponseFormat: Sendable, Hashable {
        let kind: String
        /// A strict JSON schema of the outputs (plain JSON mode if an output is an open-ended object).
        public static let jsonSchema = ResponseFormat(kind: "json_schema")
        /// `{"type": "json_object"}`.
        public static let jsonObject = ResponseFormat(kind: "json_object")
        /// No `response_format`, for servers that reject it.
        public static let none = ResponseFormat(kind: "none")
    }

    /// Which `response_format` requests carry.
    public var responseFormat: ResponseFormat
    /// Whether tools go through the server's native tool calling (DSPy's `use_native_function_calling`).
    public var nativeFunctionCalling: Bool

    /// Creates the adapter.
    public init(responseFormat: ResponseFormat = .jsonSchema, nativeFunctionCalling: Bool = false) {
        self.responseFormat = responseFormat
        self.nativeFunctionCalling = nativeFunctionCalling
    }

    public var name: String { "JSONAdapter" }

    public func format(
        _ signature: Signature, demos: [Example], inputs: OrderedDictionary<String, Value>
    ) -> [ChatMessage] {
        var messages = [ChatMessage.system(systemMessage(signature))]
        messages += DemoFormatting.messages(
            signature: signature, demos: demos,
            user: { values, prefix in userContent(signature, values: values, prefix: prefix, mainRequest: false) },
            assistant: { values, missing in assistantContent(signature, values: values, missing: missing) })
        let content = userContent(signature, values: inputs, prefix: "", mainRequest: true)
        if !content.isEmpty { messages.append(.user(content)) }
        return messages
    }

    func systemMessage(_ signature: Signature) -> String {
        let description =
            "Your input fields are:\n\(FieldFormatting.fieldList(signature.inputs))\n"
            + "Your output fields are:\n\(FieldFormatting.fieldList(signature.outputs))"
        var placeholders = OrderedDictionary<String, Value>()
        for field in signature.outputs {
            placeholders[field.name] = .string(FieldFormatting.placeholder(for: field, isInput: false))
        }
        let parts = [
            "All interactions will be structured in the following way, with the appropriate values filled in.",
            "Inputs will have the following structure:",
            FieldFormatting.sections(
                signature.inputs.map { ($0, FieldFormatting.placeholder(for: $0, isInput: true)) }),
            "Outputs will be a JSON object with the following fields.",
            Value.object(placeholders).jsonString(.pretty(indent: 2)),
        ]
        let structure = parts.joined(separator: "\n\n").pythonStripped
        return description + "\n" + structure + "\n" + FieldFormatting.taskDescription(signature.instructions)
    }

    func userContent(
        _ signature: Signature, values: OrderedDictionary<String, Value>, prefix: String, mainRequest: Bool
    ) -> String {
        var parts = [prefix]
        for field in signature.inputs {
            guard let value = values[field.name] else { continue }
            parts.append(
                FieldFormatting.marker(field.name) + "\n" + FieldFormatting.formatValue(value, for: field.type))
        }
        if mainRequest {
            let fields = signature.outputs.map { "`\($0.name)`" + DemoFormatting.typeHint($0) }
            parts.append(
                "Respond with a JSON object in the following order of fields: "
                    + fields.joined(separator: ", then ") + ".")
        }
        parts.append("")
        return parts.joined(separator: "\n\n").pythonStripped
    }

    func assistantContent(_ signature: Signature, values: OrderedDictionary<String, Value>, missing: String) -> String {
        var object = OrderedDictionary<String, Value>()
        for field in signature.outputs { object[field.name] = values[field.name] ?? .string(missing) }
        return Value.object(object).jsonString(.pretty(indent: 2))
    }

    public func requestOptions(for signature: Signature) -> LMOptions {
        switch responseFormat {
        case .none: return LMOptions()
        case .jsonObject: return LMOptions(responseFormat: ["type": "json_object"])
        default:
            // DSPy's `_has_open_ended_mapping`: a `dict[K, V]` output (not a bare `dict`, not an optional one).
            let openEnded = signature.outputs.contains { if case .dictionary = $0.type { true } else { false } }
            if openEnded { return LMOptions(responseFormat: ["type": "json_object"]) }
            return LMOptions(responseFormat: JSONAdapter.structuredOutputFormat(signature))
        }
    }

    /// Formats, calls the model and parses, stepping down the `response_format` when the server refuses it.
    ///
    /// A server that answers 400 to a JSON-schema `response_format` is asked again in plain JSON mode
    /// (`json_object`), as DSPy does, and then without a `response_format`; the prompt asks for JSON
    /// either way. A `response_format` set in `options` is sent as it is.
    public func call(
        _ lm: any LanguageModel, options: LMOptions, signature: Signature, demos: [Example],
        inputs: OrderedDictionary<String, Value>
    ) async throws -> AdapterOutput {
        var formats: [ResponseFormat] = [responseFormat]
        if options.responseFormat == nil {
            if responseFormat == .jsonSchema { formats += [.jsonObject, .none] }
            if responseFormat == .jsonObject { formats += [.none] }
        }
        for (position, format) in formats.enumerated() {
            let adapter = JSONAdapter(responseFormat: format, nativeFunctionCalling: nativeFunctionCalling)
            do {
                let result = try await adapter.attempt(
                    lm, options: options, signature: signature, demos: demos, inputs: inputs)
                return AdapterOutput(completions: try result.get())
            } catch let error as LMError where error.status == 400 && position < formats.count - 1 {
                continue
            }
        }
        preconditionFailure("the last response format returns or throws")
    }

    /// The strict JSON-schema `response_format` DSPy builds from the output fields.
    public static func structuredOutputFormat(_ signature: Signature) -> Value {
        var properties = OrderedDictionary<String, Value>()
        for field in signature.outputs {
            var schema = FieldFormatting.jsonSchema(for: field.type).objectValue ?? [:]
            schema["title"] = .string(pydanticTitle(field.name))
            schema.sort { $0.key < $1.key }
            properties[field.name] = .object(schema)
        }
        let schema: Value = [
            "additionalProperties": false,
            "properties": .object(properties),
            "required": .array(signature.outputs.map { .string($0.name) }),
            "title": "DSPyProgramOutputs",
            "type": "object",
        ]
        return [
            "type": "json_schema",
            "json_schema": ["name": "DSPyProgramOutputs", "schema": schema, "strict": true],
        ]
    }

    /// Pydantic's default title: underscores to spaces, words capitalised.
    static func pydanticTitle(_ name: String) -> String {
        name.replacingOccurrences(of: "_", with: " ").split(separator: " ", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined(separator: " ")
    }

    public func parse(_ signature: Signature, reply: String) throws(AdapterError) -> OrderedDictionary<String, Value> {
        guard let object = JSONAdapter.firstObject(in: reply) else {
            throw AdapterError(code: .notJSON, adapter: name, fields: signature.outputNames, rawReply: reply)
        }
        var parsed = OrderedDictionary<String, Value>()
        var echoed: [String] = []
        for field in signature.outputs {
            guard let value = object[field.name] else { continue }
            if case .string(let text) = value, isPlaceholder(text, for: field) {
                echoed.append(field.name)
                continue
            }
            do {
                parsed[field.name] = try ValueParsing.validate(value, as: field.type)
            } catch {
                throw AdapterError(
                    code: .invalidValue, adapter: name, fields: [field.name], rawReply: reply, detail: error.message)
            }
        }
        do {
            return try completeOutputs(parsed, signature: signature, reply: reply)
        } catch {
            throw noting(placeholders: echoed, in: error)
        }
    }

    /// The reply as a JSON object, or the first balanced `{...}` in it.
    static func firstObject(in reply: String) -> OrderedDictionary<String, Value>? {
        let trimmed = ValueParsing.stripFences(reply)
        if let value = JSONParser.parseLenient(trimmed), case .object(let object) = value { return object }
        let scalars = Array(trimmed.unicodeScalars)
        var start = 0
        while let open = scalars[start...].firstIndex(of: "{") {
            if let close = matchingBrace(scalars, from: open) {
                let text = String(String.UnicodeScalarView(scalars[open...close]))
                if let value = JSONParser.parseLenient(text), case .object(let object) = value { return object }
            }
            start = open + 1
        }
        return nil
    }

    private static func matchingBrace(_ scalars: [Unicode.Scalar], from open: Int) -> Int? {
        var depth = 0
        var quote: Unicode.Scalar?
        var index = open
        while index < scalars.count {
            let scalar = scalars[index]
            if let current = quote {
                if scalar == "\\" {
                    index += 1
                } else if scalar == current {
                    quote = nil
                }
            } else if scalar == "\"" || scalar == "'" {
                quote = scalar
            } else if scalar == "{" {
                depth += 1
            } else if scalar == "}" {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }
}
