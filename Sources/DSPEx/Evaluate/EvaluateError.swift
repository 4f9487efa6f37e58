/// An evaluation that cannot start, resume or score: an existing run name, a changed pipeline or dataset
/// under the same run name, an unknown run, an unknown metric, or an LM judge that cannot give a verdict.
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
        /// No built-in metric has that name.
        public static let unknownMetric = Code(name: "unknown_metric")
        /// A judge's signature or input mapping cannot produce a score.
        public static let invalidJudge = Code(name: "invalid_judge")
        /// The judge replied, but its verdict was not a usable value.
        public static let unreadableVerdict = Code(name: "unreadable_verdict")
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
