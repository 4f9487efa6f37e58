/// The settings of a `multi_chain_comparison` stage: how many chain-of-thought attempts are compared and the
/// comparing call's temperature — DSPy's `MultiChainComparison(signature, M=3, temperature=0.7)`.
///
/// ```yaml
/// - id: solve
///   module: multi_chain_comparison
///   signature: "question -> answer: int"
///   m: 3
///   temperature: 0.7
///   inputs: {question: input.question}
/// ```
public struct ComparisonSpec: Sendable, Hashable {
    /// The attempts sampled and compared (`m`), at least 1.
    public var m: Int
    /// The temperature of the comparing call (`temperature`), at least 0.
    public var temperature: Double

    /// DSPy's default `M`.
    public static let defaultM = 3
    /// DSPy's default temperature.
    public static let defaultTemperature = 0.7
    /// The keys a `multi_chain_comparison` stage adds to a stage's keys.
    public static let keys = ["m", "temperature"]

    /// Creates the settings; the defaults are DSPy's.
    public init(m: Int = ComparisonSpec.defaultM, temperature: Double = ComparisonSpec.defaultTemperature) {
        self.m = m
        self.temperature = temperature
    }
}
