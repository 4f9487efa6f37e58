/// A signature that could not be built: a malformed signature string, or fields that do not fit.
///
/// ```
/// invalid signature at column 18: unknown type 'strr'; expected str, int, ...
///   question: strr -> answer
///                    ^
/// ```
public struct SignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was expected or found.
    public var message: String
    /// The 1-based column in ``text`` where the problem starts, when the error comes from a string.
    public var column: Int?
    /// The signature string being parsed, if any.
    public var text: String?

    /// Creates an error.
    public init(message: String, column: Int? = nil, text: String? = nil) {
        self.message = message
        self.column = column
        self.text = text
    }

    public var description: String {
        guard let column, let text else { return "invalid signature: \(message)" }
        let caret = String(repeating: " ", count: max(0, column - 1)) + "^"
        return "invalid signature at column \(column): \(message)\n  \(text)\n  \(caret)"
    }
}
