import OrderedCollections

/// Predict with a `reasoning` output placed before the others, so the model thinks step by step
/// before it answers — DSPy's `ChainOfThought`.
///
/// Its one predictor is called `predict`, as in DSPy, so saved programs carry over.
///
/// ```swift
/// let cot = try ChainOfThought("question -> answer: int", lm: lm)
/// let prediction = try await cot(["question": "What is 7 * 6?"])
/// prediction["reasoning"]   // "7 times 6 is 42."
/// ```
public struct ChainOfThought<S: TypedSignature>: Module {
    /// The inner predictor, whose signature has the `reasoning` field.
    public var predict: Predict<DynamicSignature>

    /// The field DSPy adds: `reasoning`, a string labelled `Reasoning:`.
    public static var reasoningField: Field { Field(name: "reasoning", type: .string, prefix: "Reasoning:") }

    /// Creates a chain of thought for the `@Signature` struct `S`.
    public init(
        lm: (any LanguageModel)? = nil, adapter: (any Adapter)? = nil, options: LMOptions = LMOptions(),
        demos: [Example] = []
    ) {
        self.init(signature: S.signature, lm: lm, adapter: adapter, options: options, demos: demos)
    }

    init(signature: Signature, lm: (any LanguageModel)?, adapter: (any Adapter)?, options: LMOptions, demos: [Example])
    {
        predict = Predict(
            signature: signature.prependingOutput(Self.reasoningField), lm: lm, adapter: adapter, options: options,
            demos: demos, name: "predict")
    }

    public func forward(_ inputs: OrderedDictionary<String, Value>) async throws -> Prediction {
        try await predict.forward(inputs)
    }

    /// Runs with options for this call only.
    public func forward(_ inputs: OrderedDictionary<String, Value>, options: LMOptions) async throws -> Prediction {
        try await predict.forward(inputs, options: options)
    }

    /// Runs on typed inputs and returns the typed signature with its outputs filled.
    public func callAsFunction(_ inputs: S.Inputs) async throws -> S {
        let prediction = try await forward(Predict<S>.orderedInputs(S.values(of: inputs), signature: predict.signature))
        return try S(inputs: inputs, outputs: Dictionary(uniqueKeysWithValues: prediction.outputs.map { ($0, $1) }))
    }

    /// The messages this module would send for `inputs`, without calling the model.
    public func messages(for inputs: OrderedDictionary<String, Value>) -> [ChatMessage] {
        predict.messages(for: inputs)
    }

    public var namedPredictors: [NamedPredictor] { predict.namedPredictors }

    public mutating func setPredictorState(_ state: PredictorState, named name: String) throws {
        try predict.setPredictorState(state, named: name)
    }
}

extension ChainOfThought where S == DynamicSignature {
    /// Creates a chain of thought from DSPy's string form.
    public init(
        _ signature: String, instructions: String? = nil, lm: (any LanguageModel)? = nil,
        adapter: (any Adapter)? = nil, options: LMOptions = LMOptions(), demos: [Example] = []
    ) throws(SignatureError) {
        self.init(
            signature: try Signature(signature, instructions: instructions), lm: lm, adapter: adapter,
            options: options, demos: demos)
    }

    /// Creates a chain of thought for a signature value.
    public init(
        _ signature: Signature, lm: (any LanguageModel)? = nil, adapter: (any Adapter)? = nil,
        options: LMOptions = LMOptions(), demos: [Example] = []
    ) {
        self.init(signature: signature, lm: lm, adapter: adapter, options: options, demos: demos)
    }
}
