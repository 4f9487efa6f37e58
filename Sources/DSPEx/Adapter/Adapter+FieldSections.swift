import OrderedCollections

extension Adapter {
    /// Named values as the `[[ ## name ## ]]` sections of a user message, each formatted as a `str` input —
    /// DSPy's `format_user_message_content` for a signature whose inputs are the values' keys, how ReAct writes its
    /// trajectory. ``ChatAdapter`` and ``JSONAdapter`` share it, as they do in DSPy.
    public func formatSections(_ values: OrderedDictionary<String, Value>) -> String {
        var parts = [""]
        for (name, value) in values {
            parts.append(FieldFormatting.marker(name) + "\n" + FieldFormatting.formatValue(value, for: .string))
        }
        parts.append("")
        return parts.joined(separator: "\n\n").pythonStripped
    }
}
