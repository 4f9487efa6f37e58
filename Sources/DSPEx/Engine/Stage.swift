import OrderedCollections

/// One node of a program's graph: a module, where each of its inputs comes from, and how many
/// examples it works on at once.
///
/// ```swift
/// let solve = try Stage("solve", ChainOfThought("question -> answer: int"),
///                       inputs: ["question": .input(field: "question")], concurrency: 64)
/// ```
public struct Stage: Sendable {
    /// The stage's unique id, used in references (`solve.answer`) and error records.
    public var id: String
    /// The module run for each example.
    public var module: any Module
    /// The module's signature: the inputs it needs and the outputs it produces.
    public var signature: Signature
    /// The source of each input field, in signature order.
    public var inputs: OrderedDictionary<String, SourceReference>
    /// How many examples this stage processes at once.
    public var concurrency: Int

    /// Creates a stage for any module with an explicit signature.
    public init(
        _ id: String, module: any Module, signature: Signature, inputs: OrderedDictionary<String, SourceReference>,
        concurrency: Int = 16
    ) {
        self.id = id
        self.module = module
        self.signature = signature
        self.inputs = inputs
        self.concurrency = concurrency
    }

    /// Creates a stage running a Predict.
    public init<S>(
        _ id: String, _ predict: Predict<S>, inputs: OrderedDictionary<String, SourceReference>, concurrency: Int = 16
    ) {
        var named = predict
        named.name = id
        self.init(id, module: named, signature: predict.signature, inputs: inputs, concurrency: concurrency)
    }

    /// Creates a stage running a ChainOfThought (its outputs include `reasoning`).
    public init<S>(
        _ id: String, _ chain: ChainOfThought<S>, inputs: OrderedDictionary<String, SourceReference>,
        concurrency: Int = 16
    ) {
        var named = chain
        named.predict.name = id
        self.init(id, module: named, signature: chain.predict.signature, inputs: inputs, concurrency: concurrency)
    }

    /// Creates a stage running a ReAct agent: its predictors become `<id>.react` and `<id>.extract.predict`, and
    /// it produces `trajectory`, `reasoning` and the signature's outputs.
    public init(
        _ id: String, _ agent: ReAct, inputs: OrderedDictionary<String, SourceReference>, concurrency: Int = 16
    ) {
        var named = agent
        named.react.name = "\(id).react"
        named.extract.predict.name = "\(id).extract.predict"
        let outputs = [Field(name: "trajectory", type: .json)] + agent.extract.predict.signature.outputs
        self.init(
            id, module: named, signature: Signature(inputs: agent.signature.inputs, outputs: outputs), inputs: inputs,
            concurrency: concurrency)
    }

    /// The ids of the stages this one reads from.
    public var upstreamIDs: [String] {
        var ids: [String] = []
        for source in inputs.values {
            if let id = source.stageID, !ids.contains(id) { ids.append(id) }
        }
        return ids
    }

    /// Whether any input comes from the dataset example.
    public var readsDataset: Bool {
        inputs.values.contains { $0.stageID == nil }
    }
}
