import OrderedCollections
import Synchronization

/// DSPy's default adapter: fields as `[[ ## name ## ]]` sections ending with `[[ ## completed ## ]]`.
///
/// The system message lists the fields, shows the structure and states the objective; demos
/// are prior user/assistant turns (incomplete ones first, marked as such); the last user message
/// holds the inputs and a reminder of the outputs expected. Replies are parsed by DSPy's rules
/// with more tolerance: a marker that does not start a line still opens its section, and
/// spacing inside markers may vary. If a reply still lacks a field, the call is retried once
/// with ``JSONAdapter``, as DSPy does.
public struct ChatAdapter: Adapter {
    /// Whether a reply that cannot be parsed is retried once with ``JSONAdapter``.
    public var useJSONFallback: Bool
    /// Whether tools go through the server's native tool calling (DSPy's `use_native_function_calling`).
    public var nativeFunctionCalling: Bool

    /// Creates the adapter.
    public init(useJSONFallback: Bool = true, nativeFunctionCalling: Bool = false) {
        self.useJSONFallback = useJSONFallback
        self.nativeFunctionCalling = nativeFunctionCalling
    }

    public var name: String { "ChatAdapter" }

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

    /// DSPy's `format_system_message`: field lists, structure, objective.
    ///
    /// The same signature gives the same text on every call of a run, so the last few are remembered.
    func systemMessage(_ signature: Signature) -> String {
        if let known = Self.systemMessages.withLock({ $0[signature] }) { return known }
        let message = makeSystemMessage(signature)
        Self.systemMessages.withLock { messages in
            if messages.count >= 64 { messages.removeAll() }
            messages[signature] = message
        }
        return message
    }

    private static let systemMessages = Mutex<[Signature: String]>([:])

    private func makeSystemMessage(_ signature: Signature) -> String {
        let description =
            "Your input fields are:\n\(FieldFormatting.fieldList(signature.inputs))\n"
            + "Your output fields are:\n\(FieldFormatting.fieldList(signature.outputs))"
        let parts = [
            "All interactions will be structured in the following way, with the appropriate values filled in.",
            FieldFormatting.sections(
                signature.inputs.map { ($0, FieldFormatting.placeholder(for: $0, isInput: true)) }),
            FieldFormatting.sections(
                signature.outputs.map { ($0, FieldFormatting.placeholder(for: $0, isInput: false)) }),
            "[[ ## completed ## ]]\n",
        ]
        let structure = parts.joined(separator: "\n\n").pythonStripped
        return description + "\n" + structure + "\n" + FieldFormatting.taskDescription(signature.instructions)
    }

    /// DSPy's `format_user_message_content`.
    func userContent(
        _ signature: Signature, values: OrderedDictionary<String, Value>, prefix: String, mainRequest: Bool
    ) -> String {
        var parts = [prefix]
        for field in signature.inputs {
            guard let value = values[field.name] else { continue }
            parts.append(
                FieldFormatting.marker(field.name) + "\n" + FieldFormatting.formatValue(value, for: field.type))
        }
        if mainRequest { parts.append(outputReminder(signature)) }
        parts.append("")
        return parts.joined(separator: "\n\n").pythonStripped
    }

    private func outputReminder(_ signature: Signature) -> String {
        let fields = signature.outputs.map { field in
            "`\(FieldFormatting.marker(field.name))`" + DemoFormatting.typeHint(field)
        }
        return "Respond with the corresponding output fields, starting with the field "
            + fields.joined(separator: ", then ") + ", and then ending with the marker for `[[ ## completed ## ]]`."
    }

    /// DSPy's `format_assistant_message_content`.
    func assistantContent(_ signature: Signature, values: OrderedDictionary<String, Value>, missing: String) -> String {
        let sections = FieldFormatting.sections(
            signature.outputs.map { field in
                let value = values[field.name] ?? .string(missing)
                return (field, FieldFormatting.formatValue(value, for: field.type))
            })
        return sections + "\n\n[[ ## completed ## ]]\n"
    }

    public func parse(_ signature: Signature, reply: String) throws(AdapterError) -> OrderedDictionary<String, Value> {
        var parsed = OrderedDictionary<String, Value>()
        var echoed: [String] = []
        for (name, text) in SectionScanner.sections(in: reply) {
            guard parsed[name] == nil, let field = signature.outputs.first(where: { $0.name == name }) else { continue }
            if isPlaceholder(text, for: field) {
                echoed.append(name)
                continue
            }
            do {
                parsed[name] = try ValueParsing.parse(text: text, as: field.type)
            } catch {
                throw AdapterError(
                    code: .invalidValue, adapter: self.name, fields: [name], rawReply: reply, detail: error.message)
            }
        }
        do {
            return try completeOutputs(parsed, signature: signature, reply: reply)
        } catch {
            throw noting(placeholders: echoed, in: error)
        }
    }

    public func call(
        _ lm: any LanguageModel, options: LMOptions, signature: Signature, demos: [Example],
        inputs: OrderedDictionary<String, Value>
    ) async throws -> AdapterOutput {
        let result = try await attempt(lm, options: options, signature: signature, demos: demos, inputs: inputs)
        switch result {
        case .success(let completions):
            return AdapterOutput(completions: completions)
        case .failure(let error):
            guard useJSONFallback else { throw error }
            LMCallLog.current?.recordFallback("\(name) → JSONAdapter: \(error.description)")
            return try await JSONAdapter(nativeFunctionCalling: nativeFunctionCalling).call(
                lm, options: options, signature: signature, demos: demos, inputs: inputs)
        }
    }
}
