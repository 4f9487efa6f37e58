/// One named output of a pipeline: a field of one stage, exposed under a name.
///
/// Pipeline files write outputs either as a mapping (`answer: solve.answer`) or as a list of
/// references (`- solve.answer`, whose name is the field, `answer`).
public struct OutputSpec: Sendable, Hashable {
    /// The name of the output in the program's prediction.
    public var name: String
    /// The id of the stage that produces it.
    public var stage: String
    /// The stage's output field.
    public var field: String
    /// The place of the reference in the file.
    public var location: SourceLocation

    /// Creates an output.
    public init(name: String, stage: String, field: String, location: SourceLocation) {
        self.name = name
        self.stage = stage
        self.field = field
        self.location = location
    }
}
