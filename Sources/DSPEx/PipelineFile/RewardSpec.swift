/// The reward of a `best_of_n` or `refine` stage: a score in 0…1 of one attempt, from the stage's inputs and the
/// attempt's prediction — DSPy's `reward_fn(args, pred)`, which sees no gold label.
///
/// ```yaml
/// reward: {kind: field_matches, field: answer, pattern: "^[0-9]+$"}   # 1.0 when the regex matches, else 0.0
/// reward: {kind: one_word, field: answer}                           # 1.0 for a one-word value
/// reward: {kind: max_length, field: answer, chars: 40}              # 1.0 for at most 40 characters
/// reward: {kind: judge, field: answer, instructions: "Is the answer a plain number?"}   # the model's score
/// reward: one_word                                                  # a kind without required settings
/// ```
///
/// `field` is an output of the stage (its `reasoning` too, for a chain of thought); by default the signature's
/// last output. Build the closure with ``makeReward(for:lm:adapter:options:)``.
public struct RewardSpec: Sendable, Hashable {
    /// How the reward scores an attempt.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// 1.0 when the field's text contains a match of ``RewardSpec/pattern`` (a regular expression; anchor it
        /// with `^…$` to match the whole text), else 0.0.
        case fieldMatches = "field_matches"
        /// 1.0 when the field's text, trimmed, is one word (no whitespace inside), else 0.0.
        case oneWord = "one_word"
        /// 1.0 when the field's text has at most ``RewardSpec/chars`` characters, else 0.0.
        case maxLength = "max_length"
        /// A language model's `score: float` (clamped to 0…1) for the stage's inputs and the field, judged by
        /// ``RewardSpec/instructions``.
        case judge
    }

    /// The kind.
    public var kind: Kind
    /// The stage output scored.
    public var field: String
    /// `field_matches`: the regular expression, in Swift's `Regex` syntax (which accepts Python's usual patterns).
    public var pattern: String?
    /// `max_length`: the most characters.
    public var chars: Int?
    /// `judge`: what the judge is told to assess.
    public var instructions: String?
    /// Where the reward is declared.
    public var location: SourceLocation

    /// The keys a reward mapping accepts.
    public static let keys = ["kind", "field", "pattern", "chars", "instructions"]

    /// The output a judge reward produces: `score`, a float from 0 to 1.
    public static var scoreField: Field {
        Field(name: "score", type: .double, description: "from 0.0 (fails the instructions) to 1.0 (meets them)")
    }

    /// Creates a reward declaration.
    public init(
        kind: Kind, field: String, pattern: String? = nil, chars: Int? = nil, instructions: String? = nil,
        location: SourceLocation
    ) {
        self.kind = kind
        self.field = field
        self.pattern = pattern
        self.chars = chars
        self.instructions = instructions
        self.location = location
    }

    /// The reward in words — what a `refine` stage tells the model about it unless `reward_description` says
    /// otherwise.
    ///
    /// ```swift
    /// RewardSpec(kind: .maxLength, field: "answer", chars: 40, location: location).summary
    /// // "1.0 when the output `answer` has at most 40 characters, else 0.0"
    /// ```
    public var summary: String {
        switch kind {
        case .fieldMatches:
            "1.0 when the output `\(field)` matches the regular expression `\(pattern ?? "")`, else 0.0"
        case .oneWord:
            "1.0 when the output `\(field)` is a single word, else 0.0"
        case .maxLength:
            "1.0 when the output `\(field)` has at most \(chars ?? 0) characters, else 0.0"
        case .judge:
            "a score from 0.0 to 1.0 that a language model gives the output `\(field)` for these instructions: "
                + (instructions ?? "")
        }
    }
}
