import OrderedCollections

/// A ``Tool`` whose body is a Swift closure, with its arguments given as JSON schemas, as typed parameters, or as
/// the inputs of a signature.
///
/// ```swift
/// let add = try FunctionTool(name: "add", description: "Adds two integers.", signature: "a: int, b: int -> sum: int") {
///     .int(try $0.decode("a", as: Int.self) + $0.decode("b", as: Int.self))
/// }
/// add.promptDescription
/// // add, whose description is <desc>Adds two integers.</desc>. It takes arguments {'a': {'type': 'integer'}, ...
/// ```
public struct FunctionTool: Tool {
    /// The body: validated arguments in, the observation out.
    public typealias Body = @Sendable (ToolArguments) async throws -> Value

    public var name: String
    public var description: String?
    public var arguments: OrderedDictionary<String, Value>
    public var timeout: Duration?
    /// What the tool does.
    public var body: Body

    /// Creates a tool from argument schemas.
    ///
    /// - Throws: ``ToolError`` (`bad_declaration`) for a name a model cannot call or a schema that is not an object.
    public init(
        name: String, description: String? = nil, arguments: OrderedDictionary<String, Value>,
        timeout: Duration? = nil, body: @escaping Body
    ) throws(ToolError) {
        try Self.checkName(name)
        for (argument, schema) in arguments {
            guard case .object = schema else {
                throw ToolError(
                    code: .badDeclaration, tool: name,
                    message: "the schema of argument '\(argument)' must be a JSON object, not \(schema.jsonString())")
            }
        }
        self.init(checkedName: name, description: description, arguments: arguments, timeout: timeout, body: body)
    }

    /// Creates a tool whose name and schemas are known to be valid.
    init(
        checkedName name: String, description: String?, arguments: OrderedDictionary<String, Value>,
        timeout: Duration? = nil, body: @escaping Body
    ) {
        self.name = name
        self.description = description
        self.arguments = arguments
        self.timeout = timeout
        self.body = body
    }

    /// Creates a tool from typed parameters.
    public init(
        name: String, description: String? = nil, parameters: [ToolParameter], timeout: Duration? = nil,
        body: @escaping Body
    ) throws(ToolError) {
        var arguments = OrderedDictionary<String, Value>()
        for parameter in parameters {
            guard arguments.updateValue(parameter.schema, forKey: parameter.name) == nil else {
                throw ToolError(
                    code: .badDeclaration, tool: name, message: "argument '\(parameter.name)' is declared twice")
            }
        }
        try self.init(name: name, description: description, arguments: arguments, timeout: timeout, body: body)
    }

    /// Creates a tool whose arguments are the inputs of `signature` (types and descriptions); the description
    /// defaults to the signature's instructions when they were written by hand.
    public init(
        name: String, description: String? = nil, signature: Signature, timeout: Duration? = nil,
        body: @escaping Body
    ) throws(ToolError) {
        let generated = Signature.defaultInstructions(inputs: signature.inputs, outputs: signature.outputs)
        try self.init(
            name: name,
            description: description ?? (signature.instructions == generated ? nil : signature.instructions),
            parameters: signature.inputs.map {
                ToolParameter(
                    $0.name, type: $0.type, default: $0.type.isOptional ? .null : nil, description: $0.description)
            },
            timeout: timeout, body: body)
    }

    /// Creates a tool from DSPy's signature string, `"a: int, b: int -> sum: int"`.
    public init(
        name: String, description: String? = nil, signature: String, timeout: Duration? = nil,
        body: @escaping Body
    ) throws {
        try self.init(
            name: name, description: description, signature: try Signature(signature), timeout: timeout, body: body)
    }

    /// Creates a tool whose arguments are the inputs of the `@Signature` struct `S`.
    public init<S: TypedSignature>(
        name: String, description: String? = nil, inputsOf type: S.Type, timeout: Duration? = nil,
        body: @escaping Body
    ) throws(ToolError) {
        try self.init(name: name, description: description, signature: S.signature, timeout: timeout, body: body)
    }

    public func call(_ arguments: ToolArguments) async throws -> Value {
        try await body(arguments)
    }

    /// A name a model can call: letters, digits, `_` and `-`, 1 to 64 of them (OpenAI's rule for function names).
    static func checkName(_ name: String) throws(ToolError) {
        let allowed = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
        }
        guard allowed, (1...64).contains(name.utf8.count) else {
            throw ToolError(
                code: .badDeclaration, tool: name,
                message: "a tool name must be 1 to 64 letters, digits, '_' or '-'")
        }
    }
}
