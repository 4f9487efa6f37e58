/// One stage input and where its value comes from, as written under a stage's `inputs:`.
///
/// ```yaml
/// inputs:
///   question: input.question    # InputBinding(field: "question", source: .input(field: "question"))
///   draft: solve.answer         # InputBinding(field: "draft", source: .stage(id: "solve", field: "answer"))
/// ```
public struct InputBinding: Sendable, Hashable {
    /// The input field of the stage's signature.
    public var field: String
    /// Where the value comes from.
    public var source: SourceReference
    /// The place of the source reference (the value).
    public var location: SourceLocation
    /// The place of the field name (the key).
    public var fieldLocation: SourceLocation

    /// Creates a binding.
    public init(field: String, source: SourceReference, location: SourceLocation, fieldLocation: SourceLocation) {
        self.field = field
        self.source = source
        self.location = location
        self.fieldLocation = fieldLocation
    }
}
