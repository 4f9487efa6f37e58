import OrderedCollections

/// A function an agent may call: a name, a description, JSON-schema arguments and an async body — DSPy's
/// `dspy.Tool`.
///
/// Conform a type, or use ``FunctionTool`` for a closure. ``ReAct`` shows each tool to the model as DSPy does
/// (``promptDescription``), validates the arguments the model chose against ``arguments``, applies ``timeout``, and
/// turns every failure into an observation the model reads: a tool never crashes a run.
///
/// ```swift
/// let add = try FunctionTool(name: "add", description: "Adds two integers.", signature: "a: int, b: int -> sum: int") {
///     .int(try $0.decode("a", as: Int.self) + $0.decode("b", as: Int.self))
/// }
/// ```
public protocol Tool: Sendable {
    /// The name the model calls it by.
    var name: String { get }
    /// What it does, shown to the model; `nil` shows none.
    var description: String? { get }
    /// Each argument's JSON schema, in order (DSPy's `Tool.args`); `default` marks an optional one.
    var arguments: OrderedDictionary<String, Value> { get }
    /// The longest one call may take; `nil` waits as long as it takes.
    var timeout: Duration? { get }
    /// Runs the tool on validated arguments (defaults filled in) and returns what the model observes.
    func call(_ arguments: ToolArguments) async throws -> Value
}

extension Tool {
    public var timeout: Duration? { nil }

    /// DSPy's `str(tool)`, the line ReAct lists it with: `add, whose description is <desc>Adds two
    /// integers.</desc>. It takes arguments {'a': {'type': 'integer'}, 'b': {'type': 'integer'}}.`
    public var promptDescription: String {
        ToolDescription.line(name: name, description: description, arguments: arguments)
    }

    /// The argument names a call must supply (those without a `default`).
    public var requiredArguments: [String] {
        arguments.filter { $0.value["default"] == nil }.map(\.key)
    }

    /// The tool as an OpenAI `tools` entry (DSPy's `format_as_litellm_function_call`).
    public var functionDefinition: Value {
        var function: OrderedDictionary<String, Value> = ["name": .string(name)]
        function["description"] = description.map(Value.string) ?? .null
        function["parameters"] = [
            "type": "object", "properties": .object(arguments), "required": .array(requiredArguments.map(Value.string)),
        ]
        return ["type": "function", "function": .object(function)]
    }

    /// Validates `arguments` against the schemas, fills defaults, runs the tool within its timeout, and reports
    /// every failure as a ``ToolError`` naming the tool.
    public func invoke(_ arguments: OrderedDictionary<String, Value>) async throws(ToolError) -> Value {
        let validated = try ToolArgumentValidator.validate(arguments, for: self)
        do {
            if let timeout {
                return try await ToolTimeout.run(self, validated, within: timeout)
            }
            return try await call(validated)
        } catch let error as ToolError {
            throw error
        } catch is CancellationError {
            throw ToolError(code: .cancelled, tool: name, message: "the call was cancelled")
        } catch {
            throw ToolError(code: .failed, tool: name, message: String(describing: error))
        }
    }
}
