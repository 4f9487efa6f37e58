import OrderedCollections

/// How a call goes through the server's native tool calling (DSPy's `use_native_function_calling`): the
/// `list[Tool]` input and the `ToolCalls` output leave the prompt, the tools are sent as OpenAI `tools`, and the
/// reply's `tool_calls` become the `ToolCalls` output; the other outputs are read from the reply's text.
struct NativeToolCalls {
    /// The `list[Tool]` input and the `ToolCalls` output.
    let toolsField: String
    let callsField: String
    /// The signature without them, which the prompt shows and the text is parsed with.
    let remaining: Signature
    /// The inputs without the tools.
    let inputs: OrderedDictionary<String, Value>
    /// The tools' function definitions.
    let tools: [Value]

    /// The plan for `signature`, or `nil` when it has no `ToolCalls` output (a `ToolCalls` output without a
    /// `list[Tool]` input is answered in text).
    init?(signature: Signature, inputs: OrderedDictionary<String, Value>) {
        guard let calls = signature.outputs.first(where: { $0.type.unwrapped == .toolCalls }),
            let tools = signature.inputs.first(where: { $0.type.unwrapped == .toolList })
        else { return nil }
        toolsField = tools.name
        callsField = calls.name
        var remaining = signature
        remaining.inputs.removeAll { $0.name == tools.name }
        remaining.outputs.removeAll { $0.name == calls.name }
        self.remaining = remaining
        var rest = inputs
        self.tools = rest.removeValue(forKey: tools.name)?.arrayValue ?? []
        self.inputs = rest
    }
}

extension Adapter {
    /// One call through native tool calling: a choice with tool calls needs no parsable text (its other outputs are
    /// null when the text does not give them); a choice without any is parsed as usual and its `ToolCalls` output is
    /// null.
    func attemptNatively(
        _ native: NativeToolCalls, _ lm: any LanguageModel, options: LMOptions, signature: Signature,
        demos: [Example], adapterOptions: LMOptions?
    ) async throws -> Result<[OrderedDictionary<String, Value>], AdapterError> {
        let messages = format(native.remaining, demos: demos, inputs: native.inputs)
        var callOptions = (adapterOptions ?? requestOptions(for: native.remaining)).merging(options)
        if !native.tools.isEmpty { callOptions.tools = native.tools }
        if native.remaining.outputs.isEmpty { callOptions.responseFormat = nil }
        let response = try await lm.call(lm.request(messages, options: callOptions))
        var completions: [OrderedDictionary<String, Value>] = []
        for choice in response.choices {
            var parsed: OrderedDictionary<String, Value> = [:]
            let text = choice.text.pythonStripped
            if let calls = choice.toolCalls, !calls.isEmpty {
                if !text.isEmpty, !native.remaining.outputs.isEmpty {
                    parsed = (try? parse(native.remaining, reply: choice.text)) ?? [:]
                }
                parsed[native.callsField] = [
                    "tool_calls": .array(calls.map { ["name": $0["name"] ?? "", "args": $0["args"] ?? [:]] })
                ]
            } else {
                guard !text.isEmpty else {
                    return .failure(
                        AdapterError(code: .emptyReply, adapter: name, fields: signature.outputNames, rawReply: ""))
                }
                do {
                    parsed = try parse(native.remaining, reply: choice.text)
                } catch var error {
                    error.truncated = choice.finishReason == "length"
                    return .failure(error)
                }
            }
            var outputs = OrderedDictionary<String, Value>()
            for field in signature.outputs { outputs[field.name] = parsed[field.name] ?? .null }
            completions.append(outputs)
        }
        if completions.isEmpty {
            return .failure(AdapterError(code: .emptyReply, adapter: name, fields: signature.outputNames, rawReply: ""))
        }
        return .success(completions)
    }
}
