/// A program graph that cannot run: it names the stage and field at fault.
public struct GraphError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// The graph has no stages.
        public static let empty = Code(name: "empty")
        /// Two stages share an id.
        public static let duplicateStage = Code(name: "duplicate_stage")
        /// A reference names a stage that does not exist.
        public static let unknownStage = Code(name: "unknown_stage")
        /// A reference names a field the source does not have.
        public static let unknownField = Code(name: "unknown_field")
        /// A signature input has no source.
        public static let unboundInput = Code(name: "unbound_input")
        /// Stages depend on each other in a loop.
        public static let cycle = Code(name: "cycle")
        /// An upstream output's type cannot feed the input it is bound to.
        public static let typeMismatch = Code(name: "type_mismatch")
        /// A configuration value is out of range.
        public static let invalidValue = Code(name: "invalid_value")
    }

    /// What is wrong.
    public var code: Code
    /// The stage concerned (or the output's name for an output error).
    public var stage: String?
    /// The field concerned.
    public var field: String?
    /// One sentence for the user.
    public var message: String

    /// Creates an error.
    public init(code: Code, stage: String? = nil, field: String? = nil, message: String) {
        self.code = code
        self.stage = stage
        self.field = field
        self.message = message
    }

    public var description: String { message }
}
