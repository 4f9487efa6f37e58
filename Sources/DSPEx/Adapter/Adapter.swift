import OrderedCollections

/// Turns a signature, demos and inputs into chat messages, and a model's reply back into outputs.
///
/// ``ChatAdapter`` speaks DSPy's `[[ ## field ## ]]` format; ``JSONAdapter`` asks for a JSON
/// object. Both produce exactly the messages DSPy 3.4.1 sends, so prompts, demos and saved
/// programs carry over.
///
/// ```swift
/// let messages = ChatAdapter().format(try Signature("question -> answer"), demos: [],
///                                     inputs: ["question": "What is 2 + 3?"])
/// ```
public protocol Adapter: Sendable {
    /// The adapter's name as DSPy spells it (`ChatAdapter`).
    var name: String { get }
    /// The messages for one call.
    func format(_ signature: Signature, demos: [Example], inputs: OrderedDictionary<String, Value>) -> [ChatMessage]
    /// The outputs in a reply, in signature order.
    ///
    /// - Throws: ``AdapterError`` naming the missing or invalid field and keeping the reply.
    func parse(_ signature: Signature, reply: String) throws(AdapterError) -> OrderedDictionary<String, Value>
    /// Options the adapter adds to each request, such as a `response_format`.
    func requestOptions(for signature: Signature) -> LMOptions
    /// Whether a signature with a `list[Tool]` input and a `ToolCalls` output is answered through the server's
    /// native tool calling (OpenAI `tools` / `tool_calls`), as DSPy's `use_native_function_calling` does, rather
    /// than in the reply's text.
    var nativeFunctionCalling: Bool { get }
    /// Formats, calls the model (through ``LanguageModel/call(_:)``, so that the call's cost is recorded), and
    /// parses every choice.
    func call(
        _ lm: any LanguageModel, options: LMOptions, signature: Signature, demos: [Example],
        inputs: OrderedDictionary<String, Value>
    ) async throws -> AdapterOutput
}

/// The parsed completions of one adapter call. What the call cost is recorded in the current ``UsageScope`` where
/// the model answered (``LanguageModel/call(_:)``), not returned.
public struct AdapterOutput: Sendable, Hashable {
    /// One output dictionary per choice, in signature order.
    public var completions: [OrderedDictionary<String, Value>]

    /// Creates an output.
    public init(completions: [OrderedDictionary<String, Value>]) {
        self.completions = completions
    }
}

extension Adapter {
    public func requestOptions(for signature: Signature) -> LMOptions { LMOptions() }

    public var nativeFunctionCalling: Bool { false }

    public func call(
        _ lm: any LanguageModel, options: LMOptions, signature: Signature, demos: [Example],
        inputs: OrderedDictionary<String, Value>
    ) async throws -> AdapterOutput {
        let result = try await attempt(lm, options: options, signature: signature, demos: demos, inputs: inputs)
        return AdapterOutput(completions: try result.get())
    }

    /// One model call (through ``LanguageModel/call(_:)``, which records its cost) and the parse of its choices; a
    /// parse failure is returned, not thrown, so a caller can fall back.
    func attempt(
        _ lm: any LanguageModel, options: LMOptions, signature: Signature, demos: [Example],
        inputs: OrderedDictionary<String, Value>, adapterOptions: LMOptions? = nil
    ) async throws -> Result<[OrderedDictionary<String, Value>], AdapterError> {
        if nativeFunctionCalling, let native = NativeToolCalls(signature: signature, inputs: inputs) {
            return try await attemptNatively(
                native, lm, options: options, signature: signature, demos: demos, adapterOptions: adapterOptions)
        }
        let messages = format(signature, demos: demos, inputs: inputs)
        let request = lm.request(
            messages, options: (adapterOptions ?? requestOptions(for: signature)).merging(options))
        let response = try await lm.call(request)
        do {
            var completions: [OrderedDictionary<String, Value>] = []
            for choice in response.choices {
                guard !choice.text.pythonStripped.isEmpty else {
                    throw AdapterError(
                        code: .emptyReply, adapter: name, fields: signature.outputNames, rawReply: choice.text)
                }
                completions.append(try parse(signature, reply: choice.text))
            }
            if completions.isEmpty {
                throw AdapterError(code: .emptyReply, adapter: name, fields: signature.outputNames, rawReply: "")
            }
            return .success(completions)
        } catch var error as AdapterError {
            error.truncated = response.choices.contains { $0.finishReason == "length" }
            return .failure(error)
        }
    }

    /// Whether `text` is the field's template placeholder (`{answer}`) that the prompt shows: a model
    /// repeating the structure instead of answering. Such a value counts as missing.
    func isPlaceholder(_ text: String, for field: Field) -> Bool {
        // Every placeholder starts with `{`: most values are settled without building the placeholder.
        guard text.utf8.contains(UInt8(ascii: "{")) else { return false }
        let trimmed = text.pythonStripped
        return trimmed == "{\(field.name)}"
            || trimmed == FieldFormatting.placeholder(for: field, isInput: false).pythonStripped
    }

    /// `error` with a note naming the fields whose value was only their placeholder.
    func noting(placeholders echoed: [String], in error: AdapterError) -> AdapterError {
        guard !echoed.isEmpty, error.code == .missingFields else { return error }
        var noted = error
        let names = echoed.map { "{\($0)}" }.joined(separator: ", ")
        noted.detail = "the model wrote the template placeholder \(names) instead of a value"
        return noted
    }

    /// Fills absent optional outputs with null and reports absent required ones (`apply_output_field_defaults`).
    func completeOutputs(
        _ parsed: OrderedDictionary<String, Value>, signature: Signature, reply: String
    ) throws(AdapterError) -> OrderedDictionary<String, Value> {
        var outputs = OrderedDictionary<String, Value>()
        var missing: [String] = []
        for field in signature.outputs {
            if let value = parsed[field.name] {
                outputs[field.name] = value
            } else if field.type.isOptional {
                outputs[field.name] = .null
            } else {
                missing.append(field.name)
            }
        }
        if !missing.isEmpty {
            throw AdapterError(code: .missingFields, adapter: name, fields: missing, rawReply: reply)
        }
        return outputs
    }
}
