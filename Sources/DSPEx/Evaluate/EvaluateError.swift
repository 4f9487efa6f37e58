/// An evaluation that cannot start or resume: an existing run name, a changed pipeline or dataset
/// under the same run name, an unknown run.
public struct EvaluateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// A run with this name exists and resuming was not asked for.
        public static let runExists = Code(name: "run_exists")
        /// No run has this name.
        public static let unknownRun = Code(name: "unknown_run")
        /// The run was started with another pipeline, dataset or metric.
        public static let mismatch = Code(name: "mismatch")
    }

    /// What went wrong.
    public var code: Code
    /// One or two sentences for the user, saying what to do.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
