/// One stage of a pipeline file: a module, its signature, prompts and where its inputs come from.
///
/// ```yaml
/// - id: solve
///   module: chain_of_thought
///   signature: "question -> answer: int"
///   instructions: "Solve the arithmetic problem."
///   demos:
///     - {question: "What is 1 + 1?", answer: 2}
///   inputs:
///     question: input.question
///   concurrency: 64
/// ```
///
/// A validated stage binds every signature input exactly once, in the order of ``inputs``. Stages of the kinds that
/// wrap another module name it in ``inner`` and carry their settings in ``sampling`` (`best_of_n`, `refine`),
/// ``comparison`` (`multi_chain_comparison`) or ``knn`` (`knn_few_shot`).
public struct StageSpec: Sendable, Hashable {
    /// The stage's id, unique in the file; other stages refer to it as `<id>.<field>`.
    public var id: String
    /// The module the stage runs.
    public var module: ModuleKind
    /// The signature, with ``instructions`` applied when given.
    public var signature: Signature
    /// The signature as written in the file, after variable expansion.
    public var signatureText: String
    /// The instructions written in the file, or `nil` for DSPy's default sentence.
    public var instructions: String?
    /// Few-shot demos; each example's input keys are the signature inputs it holds.
    public var demos: [Example]
    /// Where each input comes from, in file order.
    public var inputs: [InputBinding]
    /// The most examples this stage works on at once, or `nil` for ``defaultConcurrency``.
    public var concurrency: Int?
    /// The place of the stage's mapping.
    public var location: SourceLocation
    /// The place of the id's value.
    public var idLocation: SourceLocation
    /// The place of the signature's value.
    public var signatureLocation: SourceLocation
    /// The tools of a `react` stage (or of a `react` inner module).
    public var tools: [ToolSpec] = []
    /// The most steps of a `react` stage (or of a `react` inner module), or `nil` for DSPy's 20.
    public var maxIters: Int?
    /// The module a `best_of_n`, `refine` or `knn_few_shot` stage wraps (`inner`), or `nil` for `predict`.
    public var inner: ModuleKind?
    /// The attempts and reward of a `best_of_n` or `refine` stage.
    public var sampling: SamplingSpec?
    /// The settings of a `multi_chain_comparison` stage.
    public var comparison: ComparisonSpec?
    /// The trainset, neighbours and embedder of a `knn_few_shot` stage.
    public var knn: KNNSpec?

    /// The concurrency of a stage that does not set one.
    public static let defaultConcurrency = 16

    /// The keys every stage may have (`tools` and `max_iters` only when it runs a ReAct agent), in the order the
    /// documentation lists them.
    public static let commonKeys = [
        "id", "module", "signature", "instructions", "demos", "inputs", "concurrency", "tools", "max_iters",
    ]

    /// The keys a stage accepts, of any module: ``commonKeys``, then those of the kinds that take settings.
    public static let keys = commonKeys + ["inner"] + SamplingSpec.keys + ComparisonSpec.keys + KNNSpec.keys

    /// The keys a stage of `module` accepts: ``commonKeys`` and the kind's own, as error messages list them.
    ///
    /// ```swift
    /// StageSpec.keys(for: .multiChainComparison).suffix(2)   // ["m", "temperature"]
    /// ```
    public static func keys(for module: ModuleKind) -> [String] {
        var keys = commonKeys
        if !module.innerKinds.isEmpty { keys.append("inner") }
        switch module {
        case .bestOfN: keys += SamplingSpec.keys.filter { $0 != "reward_description" }
        case .refine: keys += SamplingSpec.keys
        case .multiChainComparison: keys += ComparisonSpec.keys
        case .knnFewShot: keys += KNNSpec.keys
        default: break
        }
        return keys
    }

    /// Creates a stage.
    public init(
        id: String, module: ModuleKind = .predict, signature: Signature, signatureText: String? = nil,
        instructions: String? = nil, demos: [Example] = [], inputs: [InputBinding] = [], concurrency: Int? = nil,
        location: SourceLocation, idLocation: SourceLocation? = nil, signatureLocation: SourceLocation? = nil
    ) {
        self.id = id
        self.module = module
        self.signature = signature
        self.signatureText = signatureText ?? signature.description
        self.instructions = instructions
        self.demos = demos
        self.inputs = inputs
        self.concurrency = concurrency
        self.location = location
        self.idLocation = idLocation ?? location
        self.signatureLocation = signatureLocation ?? location
    }

    /// The fields the stage produces: the signature's outputs, after `reasoning` for `chain_of_thought`,
    /// `trajectory` and `reasoning` for `react`, `rationale` for `multi_chain_comparison`; those of the inner
    /// module for a kind that wraps one (``ModuleKind/outputs(of:inner:)``).
    public var outputs: [Field] { module.outputs(of: signature, inner: inner) }

    /// The kind of the module that makes the stage's outputs: ``inner`` (or `predict`) for a kind that wraps one,
    /// else ``module``.
    public var innermost: ModuleKind { module.innerKinds.isEmpty ? module : inner ?? .predict }

    /// Whether the stage runs a ReAct agent, itself or as its inner module, and so takes `tools` and `max_iters`.
    public var usesTools: Bool { innermost == .react }

    /// ``concurrency``, or ``defaultConcurrency`` when the file does not set it.
    public var effectiveConcurrency: Int { concurrency ?? Self.defaultConcurrency }

    /// The binding of the input named `field`.
    public func binding(for field: String) -> InputBinding? {
        inputs.first { $0.field == field }
    }
}
