import OrderedCollections

/// One typed argument of a ``FunctionTool``: its JSON schema is the one pydantic gives the type (as a
/// `dspy.Tool` made from a Python function shows it), then its `default` and `description`.
public struct ToolParameter: Sendable, Hashable {
    /// The argument's name.
    public var name: String
    /// Its type.
    public var type: FieldType
    /// The value used when the model leaves it out; `nil` makes it required.
    public var defaultValue: Value?
    /// What it means, shown to the model.
    public var description: String?

    /// Creates a parameter.
    public init(_ name: String, type: FieldType, default defaultValue: Value? = nil, description: String? = nil) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
    }

    /// The parameter's schema, DSPy's `Tool.args[name]`.
    public var schema: Value {
        var schema = FieldFormatting.pydanticSchema(for: type).objectValue ?? [:]
        if let defaultValue { schema["default"] = defaultValue }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }
}
