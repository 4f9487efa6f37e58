/// Which module a pipeline stage runs: `predict`, `chain_of_thought`, `react`, or a module around one of them
/// (`best_of_n`, `refine`, `knn_few_shot`) or around a chain of thought (`multi_chain_comparison`).
///
/// The raw value is the spelling used in pipeline files. More kinds will be added, so
/// match the ones you handle and keep a default.
///
/// ```swift
/// ModuleKind(rawValue: "chain_of_thought") == .chainOfThought // true
/// ModuleKind.chainOfThought.outputs(of: try Signature("question -> answer")).map(\.name)
/// // ["reasoning", "answer"]
/// ModuleKind.bestOfN.outputs(of: try Signature("question -> answer"), inner: .chainOfThought).map(\.name)
/// // ["reasoning", "answer"]
/// ```
public struct ModuleKind: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// The spelling in pipeline files.
    public var rawValue: String

    /// Creates a kind from its spelling; use ``allCases`` to check that it is known.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// DSPy's `Predict`: one call to the language model.
    public static let predict = ModuleKind(rawValue: "predict")
    /// DSPy's `ChainOfThought`: adds a `reasoning` output before the others.
    public static let chainOfThought = ModuleKind(rawValue: "chain_of_thought")
    /// DSPy's `ReAct`: a tool-using agent; produces `trajectory`, `reasoning` and the signature's outputs.
    public static let react = ModuleKind(rawValue: "react")
    /// DSPy's `BestOfN` around the stage's `inner` module: up to `n` attempts, the first reaching the reward's
    /// threshold kept, else the best; produces the inner module's outputs.
    public static let bestOfN = ModuleKind(rawValue: "best_of_n")
    /// DSPy's `Refine` around the stage's `inner` module: ``bestOfN``'s attempts, with the model's advice after
    /// each one under the threshold; produces the inner module's outputs.
    public static let refine = ModuleKind(rawValue: "refine")
    /// A ChainOfThought sampled `m` times, then DSPy's `MultiChainComparison` over the attempts
    /// (``SampledMultiChainComparison``); produces `rationale` and the signature's outputs.
    public static let multiChainComparison = ModuleKind(rawValue: "multi_chain_comparison")
    /// DSPy's `KNNFewShot` program for the stage's `inner` module: each call answered with demos bootstrapped from
    /// the `k` nearest examples of a trainset; produces the inner module's outputs.
    public static let knnFewShot = ModuleKind(rawValue: "knn_few_shot")

    /// Every kind a pipeline file may name, in the order error messages list them.
    public static let allCases: [ModuleKind] = [
        .predict, .chainOfThought, .react, .bestOfN, .refine, .multiChainComparison, .knnFewShot,
    ]

    /// The field `chain_of_thought` adds, as DSPy's `ChainOfThought` does: `reasoning`, a string.
    public static var reasoningField: Field { ChainOfThought<DynamicSignature>.reasoningField }

    /// The kinds a stage of this kind may run as its `inner` module (empty when it takes none): `predict`,
    /// `chain_of_thought` and `react` for `best_of_n` and `refine`; `predict` and `chain_of_thought` for
    /// `knn_few_shot`.
    public var innerKinds: [ModuleKind] {
        switch self {
        case .bestOfN, .refine: [.predict, .chainOfThought, .react]
        case .knnFewShot: [.predict, .chainOfThought]
        default: []
        }
    }

    /// The fields a stage of this kind produces for `signature`: its outputs, preceded by `reasoning` for
    /// `chain_of_thought`, by `trajectory` and `reasoning` for `react`, by `rationale` for
    /// `multi_chain_comparison`; those of the inner module (`predict` when `inner` is `nil`) for a kind that wraps
    /// one.
    public func outputs(of signature: Signature, inner: ModuleKind? = nil) -> [Field] {
        if !innerKinds.isEmpty {
            let inner = inner ?? .predict
            return innerKinds.contains(inner) ? inner.outputs(of: signature) : signature.outputs
        }
        if self == .chainOfThought {
            return signature.prependingOutput(Self.reasoningField).outputs
        }
        if self == .react {
            return [Field(name: "trajectory", type: .json)] + signature.prependingOutput(Self.reasoningField).outputs
        }
        if self == .multiChainComparison {
            return signature.prependingOutput(MultiChainComparison.rationaleField).outputs
        }
        return signature.outputs
    }

    public var description: String { rawValue }
}
