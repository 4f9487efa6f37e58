/// An output field the prompt asks the model to produce, in the order the prompt lists it.
struct OutputField: Sendable, Equatable {
    var name: String
    var type: FieldType

    /// Whether this is DSPy's chain-of-thought field, answered with a short rationale.
    var isReasoning: Bool {
        self.name == "reasoning" || self.name == "rationale"
    }
}
