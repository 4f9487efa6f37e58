/// A module that cannot run or cannot take a state: no language model, missing inputs, a saved
/// program that does not match.
public struct ModuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// No language model was given and none is set with `withLM`.
        public static let noLanguageModel = Code(name: "no_language_model")
        /// An input field of the signature was not supplied.
        public static let missingInput = Code(name: "missing_input")
        /// No predictor has that name.
        public static let unknownPredictor = Code(name: "unknown_predictor")
        /// A saved state does not fit the module.
        public static let stateMismatch = Code(name: "state_mismatch")
        /// Every attempt of a sampling module (``BestOfN``) failed.
        public static let allAttemptsFailed = Code(name: "all_attempts_failed")
        /// ``Parallel`` met its `maxErrors` failures and cancelled the rest.
        public static let tooManyErrors = Code(name: "too_many_errors")
        /// ``MultiChainComparison`` was not given `M` completions, or one lacks a rationale or an answer.
        public static let invalidCompletions = Code(name: "invalid_completions")
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
