import OrderedCollections

/// The basic module: formats a signature, its demos and the inputs with an adapter, calls the
/// language model once, and parses the reply into outputs.
///
/// With a string signature it takes and returns named values; with an `@Signature` struct it
/// takes the struct's `Inputs` and returns the struct:
///
/// ```swift
/// let predict = try Predict("question -> answer: int", lm: lm)
/// let prediction = try await predict(["question": "What is 2 + 3?"])   // prediction["answer"] == 5
///
/// let qa = try await Predict<QA>(lm: lm)(.init(question: "What is 2 + 3?"))   // qa.answer
/// ```
///
/// Inside a ``Refine`` retry (``LMContext/hints`` set), each call also gets the input `hint_`, DSPy's hint field.
public struct Predict<S: TypedSignature>: Module {
    /// The signature, with the instructions in use.
    public var signature: Signature
    /// Few-shot examples shown before the input.
    public var demos: [Example]
    /// Options for every call (temperature, max tokens, n).
    public var options: LMOptions
    /// The language model; `nil` uses the one set with ``withLM(_:adapter:_:)``.
    public var lm: (any LanguageModel)?
    /// The adapter; `nil` uses the task's default or ``ChatAdapter``.
    public var adapter: (any Adapter)?
    /// The predictor's name in traces (`self` for a bare Predict, as DSPy names it).
    public var name: String

    /// Creates a predictor for the `@Signature` struct `S`.
    public init(
        lm: (any LanguageModel)? = nil, adapter: (any Adapter)? = nil, options: LMOptions = LMOptions(),
        demos: [Example] = []
    ) {
        self.init(signature: S.signature, lm: lm, adapter: adapter, options: options, demos: demos)
    }

    init(
        signature: Signature, lm: (any LanguageModel)?, adapter: (any Adapter)?, options: LMOptions, demos: [Example],
        name: String = "self"
    ) {
        self.signature = signature
        self.lm = lm
        self.adapter = adapter
        self.options = options
        self.demos = demos
        self.name = name
    }

    public func forward(_ inputs: OrderedDictionary<String, Value>) async throws -> Prediction {
        try await forward(inputs, options: LMOptions())
    }

    /// Runs the predictor with options for this call only.
    public func forward(_ inputs: OrderedDictionary<String, Value>, options callOptions: LMOptions) async throws
        -> Prediction
    {
        guard let lm = lm ?? LMContext.languageModel else {
            throw ModuleError(
                code: .noLanguageModel,
                message: "predictor '\(name)' has no language model: pass lm: or run it inside withLM(_:)")
        }
        for field in signature.inputs where inputs[field.name] == nil && !field.type.isOptional {
            throw ModuleError(
                code: .missingInput,
                message: "predictor '\(name)' needs input field '\(field.name)' (\(signature.shortDescription))")
        }
        var options = self.options.merging(callOptions)
        if let rollout = LMContext.rolloutID, options.rolloutID == nil {
            options.rolloutID = rollout
            options.temperature = LMContext.samplingTemperature ?? options.temperature ?? 1.0
        }
        if let n = options.n, n > 1, (options.temperature ?? 0) <= 0.15 {
            options.temperature = 0.7  // DSPy samples diverse completions when several are asked for.
        }
        let adapter = self.adapter ?? LMContext.adapter ?? ChatAdapter()
        let started = ContinuousClock.now
        let demos = LMContext.excludesMatchingDemos ? self.demos.filter { !Self.demo($0, matches: inputs) } : self.demos
        var signature = self.signature
        var inputs = inputs
        if let hints = LMContext.hints {
            // Refine's hint, for this call only. As in DSPy, whose wrapper adapter adds it to the very inputs the
            // trace keeps, the trace entry below has `hint_` among its inputs (but the predictor's signature).
            signature.inputs.removeAll { $0.name == Refine.hintField.name }
            signature.inputs.append(Refine.hintField)
            inputs[Refine.hintField.name] = .string(hints[name] ?? "N/A")
        }
        let (output, recorded) = try await withUsageScope {
            try await adapter.call(lm, options: options, signature: signature, demos: demos, inputs: inputs)
        }
        var usage = recorded
        usage.latency = ContinuousClock.now - started
        let prediction = Prediction(output.completions[0], completions: output.completions, usage: usage)
        Trace.current?.record(
            TraceEntry(predictor: name, signature: self.signature, inputs: inputs, outputs: prediction.outputs))
        return prediction
    }

    /// Runs the predictor on typed inputs and returns the typed signature with its outputs filled.
    public func callAsFunction(_ inputs: S.Inputs) async throws -> S {
        let prediction = try await forward(Predict.orderedInputs(S.values(of: inputs), signature: signature))
        return try S(inputs: inputs, outputs: Dictionary(uniqueKeysWithValues: prediction.outputs.map { ($0, $1) }))
    }

    /// The messages this predictor would send for `inputs`, without calling the model (a dry run).
    public func messages(for inputs: OrderedDictionary<String, Value>) -> [ChatMessage] {
        (adapter ?? LMContext.adapter ?? ChatAdapter()).format(signature, demos: demos, inputs: inputs)
    }

    public var namedPredictors: [NamedPredictor] {
        [NamedPredictor(name: name, state: PredictorState(signature: signature, demos: demos))]
    }

    public mutating func setPredictorState(_ state: PredictorState, named name: String) throws {
        guard name == self.name else {
            throw ModuleError(
                code: .unknownPredictor, message: "no predictor named '\(name)'; this one is '\(self.name)'")
        }
        signature = state.signature
        demos = state.demos
    }

    /// Whether a demo's input values are those of the call.
    static func demo(_ demo: Example, matches inputs: OrderedDictionary<String, Value>) -> Bool {
        !inputs.isEmpty && inputs.allSatisfy { demo.values[$0.key] == $0.value }
    }

    static func orderedInputs(_ values: [String: Value], signature: Signature) -> OrderedDictionary<String, Value> {
        var ordered = OrderedDictionary<String, Value>()
        for field in signature.inputs {
            if let value = values[field.name] { ordered[field.name] = value }
        }
        for (key, value) in values where ordered[key] == nil { ordered[key] = value }
        return ordered
    }
}

extension Predict where S == DynamicSignature {
    /// Creates a predictor from DSPy's string form, `"question -> answer"`.
    ///
    /// - Throws: ``SignatureError`` naming the column of a malformed signature.
    public init(
        _ signature: String, instructions: String? = nil, lm: (any LanguageModel)? = nil,
        adapter: (any Adapter)? = nil, options: LMOptions = LMOptions(), demos: [Example] = []
    ) throws(SignatureError) {
        self.init(
            signature: try Signature(signature, instructions: instructions), lm: lm, adapter: adapter,
            options: options, demos: demos)
    }

    /// Creates a predictor for a signature value.
    public init(
        _ signature: Signature, lm: (any LanguageModel)? = nil, adapter: (any Adapter)? = nil,
        options: LMOptions = LMOptions(), demos: [Example] = []
    ) {
        self.init(signature: signature, lm: lm, adapter: adapter, options: options, demos: demos)
    }
}
