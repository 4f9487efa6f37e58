/// JSON text that could not be parsed, with where the problem is.
///
/// `line` and `column` are 1-based and count Unicode characters, so the position can be
/// shown to a person next to the offending text.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was expected or found.
    public var message: String
    /// The 1-based line of the problem.
    public var line: Int
    /// The 1-based column of the problem.
    public var column: Int

    /// Creates an error at a position.
    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String { "invalid JSON at line \(line), column \(column): \(message)" }
}
