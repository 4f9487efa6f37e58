import OrderedCollections

/// A built-in tool that evaluates an arithmetic expression exactly (`+ - * / % **`, parentheses; whole numbers
/// stay whole, an overflow is an error), for agents that must not do long arithmetic in their head.
///
/// ```swift
/// try await CalculatorTool().invoke(["expression": "123456789 * 1000 + 1"])   // 123456789001
/// ```
public struct CalculatorTool: Tool {
    public var name: String
    public var description: String?
    public var arguments: OrderedDictionary<String, Value> {
        ["expression": ["type": "string", "description": "The arithmetic expression, such as 12 * (3 + 4)"]]
    }

    /// Creates the tool, by default named `calculator`.
    public init(name: String = "calculator", description: String? = nil) throws(ToolError) {
        try FunctionTool.checkName(name)
        self.name = name
        self.description =
            description
            ?? "Evaluates an arithmetic expression (+, -, *, /, %, ** and parentheses) and returns its value."
    }

    public func call(_ arguments: ToolArguments) async throws -> Value {
        let expression = try arguments.decode("expression", as: String.self)
        do {
            return try ArithmeticExpression.evaluate(expression)
        } catch {
            throw ToolError(code: .failed, tool: name, message: "cannot evaluate '\(expression)': \(error)")
        }
    }
}
