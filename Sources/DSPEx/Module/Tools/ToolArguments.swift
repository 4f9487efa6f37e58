import OrderedCollections

/// The arguments of one tool call, validated against the tool's schemas, with defaults filled in.
public struct ToolArguments: Sendable, Hashable {
    /// The tool the arguments are for (named in errors).
    public var tool: String
    /// The values by argument name, in the order the tool declares them.
    public var values: OrderedDictionary<String, Value>

    /// Creates arguments.
    public init(tool: String, values: OrderedDictionary<String, Value>) {
        self.tool = tool
        self.values = values
    }

    /// The value of `name`, if given.
    public subscript(name: String) -> Value? { values[name] }

    /// The value of `name` as a Swift value.
    ///
    /// - Throws: ``ToolError`` naming the tool and the argument when it is absent or of another type.
    public func decode<T: ValueConvertible>(_ name: String, as type: T.Type = T.self) throws(ToolError) -> T {
        guard let value = values[name], !value.isNull || T.fieldType.isOptional else {
            throw ToolError(code: .missingArgument, tool: tool, message: "Arg \(name) is required but was not given.")
        }
        do {
            return try T(value: value)
        } catch {
            throw ToolError(
                code: .invalidArgument, tool: tool,
                message: "Arg \(name) is invalid: expected \(T.fieldType.pythonName), found \(value.jsonString())")
        }
    }
}
