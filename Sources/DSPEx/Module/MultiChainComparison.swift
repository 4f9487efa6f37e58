import OrderedCollections

/// DSPy's `MultiChainComparison`: shows the model `M` earlier attempts at the same inputs (their reasoning and
/// answer, one line each) and asks for a corrected `rationale` and a final answer.
///
/// Use it after sampling several completions, for instance from a ``ChainOfThought`` with `n: 3`, to let the model
/// compare them. As in DSPy 3.4.1 (`dspy/predict/multi_chain_comparison.py`) the inner predictor, `predict`, has
/// the signature's inputs followed by `reasoning_attempt_1` … `reasoning_attempt_M` (labelled
/// `Student Attempt #i:`), a `rationale` output before the signature's outputs, and the temperature in its options.
/// Each attempt reads `«I'm trying to {rationale} I'm not sure but my prediction is {answer}»`, where the rationale
/// is the completion's `rationale` (else its `reasoning`) and the answer its value of the signature's last output,
/// both cut to their first line.
///
/// ```swift
/// let cot = try ChainOfThought("question -> answer", lm: lm, options: LMOptions(n: 3))
/// let sampled = try await cot(["question": "What is 2 + 3?"])
/// let compare = try MultiChainComparison("question -> answer", lm: lm)
/// let final = try await compare(completions: sampled.completions, inputs: ["question": "What is 2 + 3?"])
/// final["answer"]   // "5"
/// ```
///
/// As a pipeline stage (``forward(_:)``) it takes the attempts from an input named `completions`: an array of
/// objects, each with `rationale` or `reasoning` and the last output.
public struct MultiChainComparison: Module {
    /// The inner predictor: the signature with the attempt inputs and the `rationale` output.
    public var predict: Predict<DynamicSignature>
    /// How many attempts each call must be given (DSPy's `M`).
    public var M: Int
    /// The signature's last output: the answer quoted in each attempt (DSPy's `last_key`).
    public var lastKey: String

    /// The input holding the attempts when the module runs as a pipeline stage.
    public static let completionsInput = "completions"

    /// The output DSPy prepends: `rationale`, labelled as DSPy labels it.
    public static var rationaleField: Field {
        Field(
            name: "rationale", description: "${corrected reasoning}",
            prefix: "Accurate Reasoning: Thank you everyone. Let's now holistically")
    }

    /// The input DSPy appends for attempt `index` (from 1): `reasoning_attempt_<index>`.
    ///
    /// Its description is the literal text `${reasoning attempt}`, which DSPy shows in the prompt (it is not the
    /// `${name}` placeholder that means "no description").
    public static func attemptField(_ index: Int) -> Field {
        Field(
            name: "reasoning_attempt_\(index)", description: "${reasoning attempt}",
            prefix: "Student Attempt #\(index):")
    }

    /// Creates the module for a signature value (DSPy's `MultiChainComparison(signature, M=3, temperature=0.7)`).
    ///
    /// - Parameters:
    ///   - signature: The task; it needs at least one output.
    ///   - M: How many attempts each call is given.
    ///   - temperature: The inner predictor's temperature; it overrides `options.temperature`, as DSPy's does.
    ///   - lm: The language model; `nil` uses the one set with ``withLM(_:adapter:_:)``.
    ///   - adapter: The adapter; `nil` uses the task's default or ``ChatAdapter``.
    ///   - options: Other options of the inner predictor (DSPy's `**config`).
    /// - Throws: ``SignatureError`` when the signature has no output.
    public init(
        _ signature: Signature, M: Int = 3, temperature: Double = 0.7, lm: (any LanguageModel)? = nil,
        adapter: (any Adapter)? = nil, options: LMOptions = LMOptions()
    ) throws(SignatureError) {
        guard let last = signature.outputs.last else {
            throw SignatureError(
                message: "MultiChainComparison needs a signature with an output (\(signature.shortDescription))")
        }
        var extended = signature
        for index in 0..<max(0, M) {
            let field = Self.attemptField(index + 1)
            extended.inputs.removeAll { $0.name == field.name }
            extended.inputs.append(field)
        }
        extended = extended.prependingOutput(Self.rationaleField)
        var options = options
        options.temperature = temperature
        self.predict = Predict(
            signature: extended, lm: lm, adapter: adapter, options: options, demos: [], name: "predict")
        self.M = M
        self.lastKey = last.name
    }

    /// Creates the module from DSPy's string form, `"question -> answer"`.
    ///
    /// - Throws: ``SignatureError`` naming the column of a malformed signature, or for one without outputs.
    public init(
        _ signature: String, instructions: String? = nil, M: Int = 3, temperature: Double = 0.7,
        lm: (any LanguageModel)? = nil, adapter: (any Adapter)? = nil, options: LMOptions = LMOptions()
    ) throws(SignatureError) {
        try self.init(
            try Signature(signature, instructions: instructions), M: M, temperature: temperature, lm: lm,
            adapter: adapter, options: options)
    }

    /// Runs as a pipeline stage: the attempts come from the input `completions` (an array of objects), the other
    /// inputs go to the predictor.
    ///
    /// - Throws: ``ModuleError`` (`invalid_completions`) when `completions` is missing, is not an array of
    ///   objects, or does not hold `M` attempts.
    public func forward(_ inputs: OrderedDictionary<String, Value>) async throws -> Prediction {
        var inputs = inputs
        guard let value = inputs.removeValue(forKey: Self.completionsInput) else {
            throw ModuleError(
                code: .invalidCompletions,
                message: "MultiChainComparison needs the input '\(Self.completionsInput)' holding \(M) attempts")
        }
        guard let elements = value.arrayValue else {
            throw ModuleError(
                code: .invalidCompletions,
                message: "MultiChainComparison's input '\(Self.completionsInput)' must be an array of objects")
        }
        let completions = try elements.enumerated().map { index, element in
            guard let object = element.objectValue else {
                throw ModuleError(
                    code: .invalidCompletions,
                    message: "MultiChainComparison's completion \(index + 1) is not an object: \(element.plainText)")
            }
            return object
        }
        return try await forward(completions: completions, inputs: inputs)
    }

    /// Runs on `M` earlier completions (their outputs by name) and the signature's inputs.
    ///
    /// - Throws: ``ModuleError`` (`invalid_completions`) when there are not `M` completions or one lacks a
    ///   rationale or an answer.
    public func forward(
        completions: [OrderedDictionary<String, Value>], inputs: OrderedDictionary<String, Value>
    ) async throws -> Prediction {
        try await predict.forward(try predictorInputs(completions: completions, inputs: inputs))
    }

    /// Runs on `M` earlier predictions (their outputs) and the signature's inputs.
    public func forward(completions: [Prediction], inputs: OrderedDictionary<String, Value>) async throws
        -> Prediction
    {
        try await forward(completions: completions.map(\.outputs), inputs: inputs)
    }

    /// Runs on `M` earlier completions and the signature's inputs.
    public func callAsFunction(
        completions: [OrderedDictionary<String, Value>], inputs: OrderedDictionary<String, Value>
    ) async throws -> Prediction {
        try await forward(completions: completions, inputs: inputs)
    }

    /// Runs on `M` earlier predictions and the signature's inputs.
    public func callAsFunction(completions: [Prediction], inputs: OrderedDictionary<String, Value>) async throws
        -> Prediction
    {
        try await forward(completions: completions, inputs: inputs)
    }

    /// The attempt texts DSPy builds from completions, in order.
    ///
    /// - Throws: ``ModuleError`` (`invalid_completions`) when there are not `M` completions or one lacks a
    ///   rationale or an answer (where DSPy fails with an `AttributeError` or `KeyError`).
    public func attempts(_ completions: [OrderedDictionary<String, Value>]) throws -> [String] {
        let attempts = try completions.enumerated().map { index, completion in
            guard let rationale = completion["rationale"] ?? completion["reasoning"], !rationale.isNull else {
                throw ModuleError(
                    code: .invalidCompletions,
                    message: "MultiChainComparison's completion \(index + 1) has no 'rationale' or 'reasoning'")
            }
            guard let answer = completion[lastKey] else {
                throw ModuleError(
                    code: .invalidCompletions,
                    message: "MultiChainComparison's completion \(index + 1) has no '\(lastKey)'")
            }
            return "«I'm trying to \(Self.firstLine(rationale)) I'm not sure but my prediction is "
                + "\(Self.firstLine(answer))»"
        }
        guard attempts.count == M else {
            throw ModuleError(
                code: .invalidCompletions,
                message: "The number of attempts (\(attempts.count)) doesn't match the expected number M (\(M)). "
                    + "Please set the correct value for M when initializing MultiChainComparison.")
        }
        return attempts
    }

    /// The messages the module would send for these completions and inputs, without calling the model.
    public func messages(
        completions: [OrderedDictionary<String, Value>], inputs: OrderedDictionary<String, Value>
    ) throws -> [ChatMessage] {
        predict.messages(for: try predictorInputs(completions: completions, inputs: inputs))
    }

    /// The inner predictor's inputs, as DSPy orders them: the attempts first, then the caller's inputs (which
    /// replace an attempt of the same name).
    func predictorInputs(
        completions: [OrderedDictionary<String, Value>], inputs: OrderedDictionary<String, Value>
    ) throws -> OrderedDictionary<String, Value> {
        var call = OrderedDictionary<String, Value>()
        for (index, attempt) in try attempts(completions).enumerated() {
            call["reasoning_attempt_\(index + 1)"] = .string(attempt)
        }
        for (name, value) in inputs { call[name] = value }
        return call
    }

    public var namedPredictors: [NamedPredictor] { predict.namedPredictors }

    public mutating func setPredictorState(_ state: PredictorState, named name: String) throws {
        try predict.setPredictorState(state, named: name)
    }

    /// Python's `str(value).strip().split("\n")[0].strip()`.
    static func firstLine(_ value: Value) -> String {
        let text = value.stringValue ?? value.pythonRepr
        let stripped = text.pythonStripped.unicodeScalars
        // By scalars, as Python splits: "\r\n" is one Swift character but holds the "\n" Python splits at.
        let first = stripped.firstIndex(of: "\n").map { stripped[..<$0] } ?? stripped[...]
        return String(String.UnicodeScalarView(first)).pythonStripped
    }
}
