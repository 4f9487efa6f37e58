import OrderedCollections

/// DSPy's `str(tool)`: the line ReAct lists a tool with, and how a `list[Tool]` input shows each tool — from a
/// tool's parts or its OpenAI function definition.
enum ToolDescription {
    /// DSPy's `str(tool)` for a tool's parts.
    static func line(
        name: String, description: String?, arguments: OrderedDictionary<String, Value>
    ) -> String {
        let described =
            description.map { ", whose description is <desc>\($0)</desc>.".replacingOccurrences(of: "\n", with: "  ") }
            ?? "."
        return "\(name)\(described) It takes arguments \(Value.object(arguments).pythonRepr)."
    }

    /// DSPy's `str(tool)` for a tool given as its OpenAI function definition.
    static func line(ofDefinition definition: Value) -> String {
        let function = definition["function"] ?? definition
        return line(
            name: function["name"]?.stringValue ?? "", description: function["description"]?.stringValue,
            arguments: function["parameters"]?["properties"]?.objectValue ?? [:])
    }

}
