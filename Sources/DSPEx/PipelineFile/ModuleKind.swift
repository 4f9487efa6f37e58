/// Which module a pipeline stage runs: `predict` or `chain_of_thought`.
///
/// The raw value is the spelling used in pipeline files. More kinds will be added, so
/// match the ones you handle and keep a default.
///
/// ```swift
/// ModuleKind(rawValue: "chain_of_thought") == .chainOfThought // true
/// ModuleKind.chainOfThought.outputs(of: try Signature("question -> answer")).map(\.name)
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
    /// Every kind a pipeline file may name, in the order error messages list them.
    public static let allCases: [ModuleKind] = [.predict, .chainOfThought, .react]

    /// The field `chain_of_thought` adds, as DSPy's `ChainOfThought` does: `reasoning`, a string.
    public static var reasoningField: Field { ChainOfThought<DynamicSignature>.reasoningField }

    /// The fields a stage of this kind produces for `signature`: its outputs, preceded by
    /// `reasoning` for `chain_of_thought`.
    public func outputs(of signature: Signature) -> [Field] {
        if self == .chainOfThought {
            return signature.prependingOutput(Self.reasoningField).outputs
        }
        if self == .react {
            return [Field(name: "trajectory", type: .json)] + signature.prependingOutput(Self.reasoningField).outputs
        }
        return signature.outputs
    }

    public var description: String { rawValue }
}
