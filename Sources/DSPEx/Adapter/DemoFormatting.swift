import OrderedCollections

/// DSPy's `format_demos`, shared by both adapters: incomplete demos first (marked as such), then
/// complete ones, each as a user turn and an assistant turn.
enum DemoFormatting {
    static let incompletePrefix = "This is an example of the task, though some input or output fields are not supplied."
    static let incompleteMissing = "Not supplied for this particular example. "
    static let completeMissing = "Not supplied for this conversation history message. "

    static func messages(
        signature: Signature, demos: [Example],
        user: (OrderedDictionary<String, Value>, String) -> String,
        assistant: (OrderedDictionary<String, Value>, String) -> String
    ) -> [ChatMessage] {
        var complete: [Example] = []
        var incomplete: [Example] = []
        for demo in demos {
            let isComplete = signature.fields.allSatisfy { field in
                guard let value = demo.values[field.name] else { return false }
                return !value.isNull
            }
            let hasInput = signature.inputs.contains { demo.values[$0.name] != nil }
            let hasOutput = signature.outputs.contains { demo.values[$0.name] != nil }
            if isComplete {
                complete.append(demo)
            } else if hasInput && hasOutput {
                incomplete.append(demo)
            }
        }
        var messages: [ChatMessage] = []
        for demo in incomplete {
            messages.append(.user(user(demo.values, incompletePrefix)))
            messages.append(.assistant(assistant(demo.values, incompleteMissing)))
        }
        for demo in complete {
            messages.append(.user(user(demo.values, "")))
            messages.append(.assistant(assistant(demo.values, completeMissing)))
        }
        return messages
    }

    /// ` (must be formatted as a valid Python int)` for non-string outputs, as in DSPy's reminders.
    static func typeHint(_ field: Field) -> String {
        if field.type == .toolCalls {
            return #" (must be a JSON object like {"tool_calls": [{"name": "...", "args": {...}}]})"#
        }
        return field.type == .string
            ? "" : " (must be formatted as a valid Python \(FieldFormatting.annotationName(field.type)))"
    }
}
