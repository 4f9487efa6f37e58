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
/// A validated stage binds every signature input exactly once, in the order of ``inputs``.
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
    /// The tools of a `react` stage.
    public var tools: [ToolSpec] = []
    /// The most steps of a `react` stage, or `nil` for DSPy's 20.
    public var maxIters: Int?

    /// The concurrency of a stage that does not set one.
    public static let defaultConcurrency = 16

    /// The keys a stage accepts, in the order the documentation lists them.
    public static let keys = [
        "id", "module", "signature", "instructions", "demos", "inputs", "concurrency", "tools", "max_iters",
    ]

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

    /// The fields the stage produces: the signature's outputs, after `reasoning` for
    /// `chain_of_thought`.
    public var outputs: [Field] { module.outputs(of: signature) }

    /// ``concurrency``, or ``defaultConcurrency`` when the file does not set it.
    public var effectiveConcurrency: Int { concurrency ?? Self.defaultConcurrency }

    /// The binding of the input named `field`.
    public func binding(for field: String) -> InputBinding? {
        inputs.first { $0.field == field }
    }
}
