import OrderedCollections

/// DSPy's `Refine`: runs a module up to `n` times like ``BestOfN``, and after each attempt that scores below
/// `threshold` (except the last) asks the model for advice (``OfferFeedback``), which every predictor of the next
/// attempts receives as the extra input `hint_`.
///
/// Use it instead of ``BestOfN`` when a failed attempt says something about how to do better. As in DSPy 3.4.1
/// (`dspy/predict/refine.py`):
/// - attempts run under rollout ids from the current one (0 when none is set), at temperature 1.0 over the run's
///   (DSPy's `lm.copy(rollout_id=..., temperature=1.0)`); the first attempt reaching `threshold` wins, else the one
///   with the highest reward;
/// - an attempt whose module, reward or feedback call throws is skipped while failures are within `failCount`,
///   by ``BestOfN``'s rule; the advice of an earlier attempt stays in force after a failed one;
/// - the feedback call gets the program's inputs, each predictor call of the attempt (`program_trajectory`) and
///   its outputs as orjson's indented JSON (``OfferFeedback/jsonText(_:)``), and ``inspectModules(_:)``;
/// - a hinted call's `hint_` is the advice under the predictor's name, or "N/A"; advice that is an empty object
///   means no hints at all (DSPy's `if not advice`);
/// - a hinted call's trace entry has `hint_` among its inputs (DSPy's "TODO: Remove the hint from the trace");
/// - only the chosen attempt's predictor calls join the surrounding trace; the reward's calls join none.
///
/// Where DSPEx differs, and why:
/// - `program_code` is DSPy's `inspect.getsource` of the module's class; Swift has no source at run time, so it
///   is `programDescription` or a description naming the module's type and its predictors' signatures.
/// - `reward_code` is `rewardDescription` (default "a Swift closure") for the same reason.
/// - The feedback call uses `lm` (else the one set with ``withLM(_:adapter:_:)``), as DSPy uses
///   `dspy.settings.lm` and never the module's own; without one it fails like a failed attempt, as in DSPy. It
///   runs under the caller's rollout id, without hints, and is recorded in no trace (DSPy adds it to the
///   surrounding trace when one is active, where bootstrapping cannot name its predictor).
/// - Hints are looked up by predictor name; DSPy looks them up by signature object, which differs only when two
///   predictors share one signature class.
/// - `failCount: 0` allows no failure and failures are counted per call (DSPy's `fail_count or N` makes 0 mean
///   `n`, and its count of failures carries over to later calls); when every attempt fails the module throws
///   (DSPy returns `None`).
/// - ``namedPredictors`` are the module's own names, as ``BestOfN``'s (DSPy prefixes them with `module.`).
/// - The returned prediction's usage covers every attempt and feedback call that returned.
///
/// ```swift
/// let qa = try ChainOfThought("question -> answer")
/// let oneWord = Refine(qa, n: 3, threshold: 1.0, rewardDescription: "1.0 for a one-word answer, else 0.0") {
///     _, prediction in (prediction["answer"]?.plainText.split(separator: " ").count == 1) ? 1 : 0
/// }
/// let prediction = try await withLM(lm) { try await oneWord(["question": "What is the capital of Belgium?"]) }
/// ```
public struct Refine: Module {
    /// Scores an attempt from the module's inputs and its prediction (``BestOfN/Reward``).
    public typealias Reward = BestOfN.Reward

    /// The module run on each attempt.
    public var module: any Module
    /// The most attempts (DSPy's `N`).
    public var n: Int
    /// The reward of an attempt (DSPy's `reward_fn`).
    public var reward: Reward
    /// The reward that ends the attempts at once.
    public var threshold: Double
    /// How many failed attempts are tolerated (DSPy's `fail_count`; `nil` is `n`).
    public var failCount: Int?
    /// What the feedback call is told about the reward, in place of DSPy's source of `reward_fn`.
    public var rewardDescription: String
    /// What the feedback call is told about the program, in place of DSPy's source of the module's class; `nil`
    /// describes the module's type and predictors.
    public var programDescription: String?
    /// The language model of the feedback call; `nil` uses the one set with ``withLM(_:adapter:_:)``.
    public var lm: (any LanguageModel)?
    /// The adapter of the feedback call; `nil` uses the task's default or ``ChatAdapter``.
    public var adapter: (any Adapter)?

    /// The input each predictor call of a hinted attempt gets: `hint_`, labelled `Hint :` as DSPy infers it.
    public static let hintField = Field(name: "hint_", description: "A hint to the module from an earlier run")
    /// The default ``rewardDescription``.
    public static let defaultRewardDescription = "a Swift closure"

    /// Creates the module with DSPy's parameters (`N`, `reward_fn`, `threshold`, `fail_count`).
    ///
    /// - Parameters:
    ///   - module: The module to refine.
    ///   - n: The most attempts.
    ///   - threshold: The reward that ends the attempts at once.
    ///   - failCount: How many failed attempts are tolerated; `nil` is `n`.
    ///   - rewardDescription: The feedback call's `reward_code`.
    ///   - programDescription: The feedback call's `program_code`; `nil` describes the module.
    ///   - lm: The feedback call's language model; `nil` uses the one set with ``withLM(_:adapter:_:)``.
    ///   - adapter: The feedback call's adapter.
    ///   - reward: The reward of an attempt.
    public init(
        _ module: any Module, n: Int, threshold: Double, failCount: Int? = nil,
        rewardDescription: String = Refine.defaultRewardDescription, programDescription: String? = nil,
        lm: (any LanguageModel)? = nil, adapter: (any Adapter)? = nil, reward: @escaping Reward
    ) {
        self.module = module
        self.n = n
        self.threshold = threshold
        self.failCount = failCount
        self.rewardDescription = rewardDescription
        self.programDescription = programDescription
        self.lm = lm
        self.adapter = adapter
        self.reward = reward
    }

    public var namedPredictors: [NamedPredictor] { module.namedPredictors }

    public mutating func setPredictorState(_ state: PredictorState, named name: String) throws {
        try module.setPredictorState(state, named: name)
    }

    public func forward(_ inputs: OrderedDictionary<String, Value>) async throws -> Prediction {
        let start = LMContext.rolloutID ?? 0
        var best: (prediction: Prediction, trace: [TraceEntry], reward: Double)?
        var failuresAllowed = failCount ?? n
        var usage = Usage()
        var lastError: (any Error)?
        var advice: [String: String]?
        for index in 0..<max(0, n) {
            do {
                let (prediction, trace) = try await withTrace {
                    try await LMContext.$samplingTemperature.withValue(1.0) {
                        try await LMContext.$rolloutID.withValue(start + index) {
                            try await LMContext.$hints.withValue(advice ?? LMContext.hints) {
                                try await module.forward(inputs)
                            }
                        }
                    }
                }
                usage = usage + prediction.usage
                let (score, _) = try await withTrace {
                    try await LMContext.$hints.withValue(nil) { try await reward(inputs, prediction) }
                }
                if score > (best?.reward ?? -.infinity) { best = (prediction, trace, score) }
                if score >= threshold || index == n - 1 { break }
                let feedback = try await offerFeedback(
                    inputs: inputs, prediction: prediction, trace: trace, score: score)
                usage = usage + feedback.usage
                advice = feedback.advice.isEmpty ? nil : Dictionary(feedback.advice.map { ($0, $1) }) { $1 }
            } catch {
                // DSPy's rule, kept: the attempt at index i fails the module when i exceeds the failures left.
                if index > failuresAllowed { throw error }
                failuresAllowed -= 1
                lastError = error
            }
        }
        guard let best else {
            throw ModuleError(
                code: .allAttemptsFailed,
                message: "all \(n) attempts failed" + (lastError.map { "; the last: \($0)" } ?? ""))
        }
        for entry in best.trace { Trace.current?.record(entry) }
        var chosen = best.prediction
        chosen.usage = usage
        return chosen
    }

    /// Asks the model which predictor is to blame for an attempt scoring `score`, and what each should do next.
    func offerFeedback(
        inputs: OrderedDictionary<String, Value>, prediction: Prediction, trace: [TraceEntry], score: Double
    ) async throws -> (advice: OrderedDictionary<String, String>, usage: Usage) {
        let feedbackInputs = feedbackInputs(inputs: inputs, prediction: prediction, trace: trace, score: score)
        let predict = Predict<OfferFeedback>(lm: lm, adapter: adapter)
        let call = Predict<OfferFeedback>.orderedInputs(
            OfferFeedback.values(of: feedbackInputs), signature: OfferFeedback.signature)
        let (reply, _) = try await withTrace {
            try await LMContext.$hints.withValue(nil) { try await predict.forward(call) }
        }
        let feedback = OfferFeedback(
            inputs: feedbackInputs, outputs: Dictionary(reply.outputs.map { ($0, $1) }) { $1 })
        return (feedback.advice, reply.usage)
    }

    /// The feedback call's inputs, built as DSPy builds `advise_kwargs`.
    func feedbackInputs(
        inputs: OrderedDictionary<String, Value>, prediction: Prediction, trace: [TraceEntry], score: Double
    ) -> OfferFeedback.Inputs {
        let predictors = module.namedPredictors
        let trajectory = trace.map { entry -> Value in
            [
                "module_name": .string(entry.predictor), "inputs": .object(entry.inputs),
                "outputs": .object(entry.outputs),
            ]
        }
        return OfferFeedback.Inputs(
            programCode: programDescription ?? Self.describe(module),
            modulesDefn: Self.inspectModules(predictors),
            programInputs: OfferFeedback.jsonText(.object(inputs)),
            programTrajectory: OfferFeedback.jsonText(.array(trajectory)),
            programOutputs: OfferFeedback.jsonText(.object(prediction.outputs)),
            rewardCode: rewardDescription,
            targetThreshold: OfferFeedback.jsonText(.double(threshold)),
            rewardValue: OfferFeedback.jsonText(.double(score)),
            moduleNames: OfferFeedback.jsonText(.array(predictors.map { .string($0.name) })))
    }

    /// The `program_code` DSPEx sends when no ``programDescription`` is given: the module's Swift type and each
    /// predictor's signature.
    ///
    /// ```
    /// ChainOfThought<DynamicSignature> (a DSPEx module in Swift; its source is not available at run time)
    /// Predictors:
    /// - predict: question -> reasoning, answer
    /// ```
    public static func describe(_ module: any Module) -> String {
        let header =
            "\(String(describing: type(of: module))) (a DSPEx module in Swift; its source is not available at run time)"
        let predictors = module.namedPredictors.map { "- \($0.name): \($0.state.signature.shortDescription)" }
        return ([header, "Predictors:"] + predictors).joined(separator: "\n")
    }

    /// DSPy's `inspect_modules`: each predictor's name, fields (as the prompt lists them) and dedented
    /// instructions, indented with tabs between lines of 80 dashes.
    ///
    /// ```
    /// --------------------------------------------------------------------------------
    /// Module predict
    /// 	Input Fields:
    /// 		1. `question` (str):
    /// 	Output Fields:
    /// 		1. `reasoning` (str):
    /// 		2. `answer` (str):
    /// 	Original Instructions:
    /// 		Given the fields `question`, produce the fields `answer`.
    /// --------------------------------------------------------------------------------
    /// ```
    public static func inspectModules(_ predictors: [NamedPredictor]) -> String {
        let separator = String(repeating: "-", count: 80)
        func indented(_ text: String) -> String { ([""] + pythonLines(text)).joined(separator: "\n\t\t") }
        var output = [separator]
        for predictor in predictors {
            let signature = predictor.state.signature
            output.append("Module \(predictor.name)")
            output.append("\n\tInput Fields:")
            output.append(indented(FieldFormatting.fieldList(signature.inputs)))
            output.append("\tOutput Fields:")
            output.append(indented(FieldFormatting.fieldList(signature.outputs)))
            output.append("\tOriginal Instructions: " + indented(FieldFormatting.dedent(signature.instructions)))
            output.append(separator)
        }
        return output.map(strippingNewlines).joined(separator: "\n")
    }

    /// Python's `str.splitlines()`: split at any line boundary, with no empty line after a final one.
    static func pythonLines(_ text: String) -> [String] {
        let boundaries: Set<Unicode.Scalar> = [
            "\n", "\r", "\u{0B}", "\u{0C}", "\u{1C}", "\u{1D}", "\u{1E}", "\u{85}", "\u{2028}", "\u{2029}",
        ]
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            if scalar == "\n", previous == "\r" { continue }  // "\r\n" is one boundary.
            if boundaries.contains(scalar) {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    /// Python's `str.strip("\n")`.
    static func strippingNewlines(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while scalars.first == "\n" { scalars.removeFirst() }
        while scalars.last == "\n" { scalars.removeLast() }
        return String(scalars)
    }
}
