/// A tool that could not be declared or called, naming the tool: ReAct shows the call's failure to the model as
/// the step's observation (`Execution error in add: …`), and reports a bad declaration before anything runs.
public struct ToolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// The model named an argument the tool does not take.
        public static let unknownArgument = Code(name: "unknown_argument")
        /// An argument does not match its schema.
        public static let invalidArgument = Code(name: "invalid_argument")
        /// A required argument is absent.
        public static let missingArgument = Code(name: "missing_argument")
        /// The model named a tool that does not exist.
        public static let unknownTool = Code(name: "unknown_tool")
        /// The call took longer than the tool's timeout.
        public static let timedOut = Code(name: "timed_out")
        /// The tool itself failed (it threw, its command failed, its server reported an error).
        public static let failed = Code(name: "failed")
        /// The call was cancelled.
        public static let cancelled = Code(name: "cancelled")
        /// The tool is declared wrongly (a bad name, schema or parameter).
        public static let badDeclaration = Code(name: "bad_declaration")
    }

    /// What went wrong.
    public var code: Code
    /// The tool's name.
    public var tool: String
    /// What happened, in a sentence the model can act on.
    public var message: String

    /// Creates an error.
    public init(code: Code, tool: String, message: String) {
        self.code = code
        self.tool = tool
        self.message = message
    }

    public var description: String { "tool '\(tool)': \(message)" }
}
