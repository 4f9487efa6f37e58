/// A pipeline file that cannot be read, parsed or validated, with the place of the problem.
///
/// Every error names the file, line and column of the offending node, says what was
/// expected, and may carry a suggestion. Its description reads like a compiler diagnostic,
/// followed by the source line and a caret when the line is known:
///
/// ```
/// pipelines/qa.yaml:12:5: error: unknown key 'signatrue' in stage 'solve'; did you mean 'signature'?
///     signatrue: "question -> answer"
///     ^
/// ```
///
/// Switch on ``code`` to react to a kind of problem; show ``description`` to a person.
public struct PipelineFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem. New codes may be added; match the ones you handle and keep a default.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The code's name, such as `unknown_key`.
        public var rawValue: String

        /// Creates a code from its name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The text is not valid YAML (or holds a key twice in one mapping).
        public static let syntax = Code(rawValue: "syntax")
        /// A key that this place of the file does not accept.
        public static let unknownKey = Code(rawValue: "unknown_key")
        /// A value of the wrong kind: a list where a mapping belongs, text where a number does.
        public static let wrongType = Code(rawValue: "wrong_type")
        /// A required key is absent from its mapping.
        public static let missingField = Code(rawValue: "missing_field")
        /// A signature string that does not parse.
        public static let invalidSignature = Code(rawValue: "invalid_signature")
        /// A reference to a stage that the file does not define.
        public static let unknownStage = Code(rawValue: "unknown_stage")
        /// A reference to a field that the stage or signature does not have.
        public static let unknownField = Code(rawValue: "unknown_field")
        /// Two stages with the same id.
        public static let duplicateStage = Code(rawValue: "duplicate_stage")
        /// Stages that read each other's outputs in a loop.
        public static let cycle = Code(rawValue: "cycle")
        /// A `${VAR}` whose variable is not set.
        public static let undefinedVariable = Code(rawValue: "undefined_variable")
        /// A value of the right kind but not an allowed one: an unknown module, a zero concurrency.
        public static let invalidValue = Code(rawValue: "invalid_value")
        /// An upstream output whose type the downstream input cannot take.
        public static let typeMismatch = Code(rawValue: "type_mismatch")
        /// The file could not be read from disk.
        public static let unreadableFile = Code(rawValue: "unreadable_file")

        public var description: String { rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// What is wrong and what was expected, without the location.
    public var message: String
    /// Where the problem is.
    public var location: SourceLocation
    /// A hint: the likely intended spelling (`did you mean 'signature'?`) or the accepted values.
    public var suggestion: String?
    /// The text of the line at ``location``, shown with a caret; `nil` when it is unknown or
    /// could reveal a secret.
    public var sourceLine: String?

    /// Creates an error.
    public init(
        code: Code, message: String, location: SourceLocation, suggestion: String? = nil, sourceLine: String? = nil
    ) {
        self.code = code
        self.message = message
        self.location = location
        self.suggestion = suggestion
        self.sourceLine = sourceLine
    }

    /// The one-line form: `file:line:column: error: message; suggestion`.
    public var summary: String {
        var text = "\(location): error: \(message)"
        if let suggestion { text += "; \(suggestion)" }
        return text
    }

    /// ``summary``, then the source line and a caret under the column when the line is known.
    public var description: String {
        guard let sourceLine else { return summary }
        // Keep tabs so the caret lines up with the text above it.
        let indent = sourceLine.unicodeScalars.prefix(max(0, location.column - 1)).map { $0 == "\t" ? "\t" : " " }
        return summary + "\n" + sourceLine + "\n" + indent.joined() + "^"
    }
}
