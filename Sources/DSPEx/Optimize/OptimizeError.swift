/// An optimization that cannot start, continue or finish: bad options, a step that did not complete, a proposal
/// the prompt model did not give.
public struct OptimizeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// The options do not fit the data or each other.
        public static let invalidOptions = Code(name: "invalid_options")
        /// A step of the run left examples unfinished.
        public static let incompleteStep = Code(name: "incomplete_step")
    }

    /// What went wrong.
    public var code: Code
    /// One sentence for the user.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
