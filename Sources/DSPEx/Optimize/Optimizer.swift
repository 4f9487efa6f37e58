/// Improves a program's prompts — instructions and demos of its predictors — from training data.
///
/// DSPy calls these teleprompters; DSPEx has one name for the concept. An optimizer returns a new
/// program; the one it was given is unchanged. Optimizers are deterministic given their seed and what the
/// model answers, and record their work in the context's ``CompileJournal`` — which is what lets an
/// ``OptimizationJob`` resume a killed run and end with the same program.
///
/// ```swift
/// let optimized = try await BootstrapFewShot(metric: .exactMatch()).compile(program, trainset: trainset)
/// ```
public protocol Optimizer: Sendable {
    /// Returns an optimized copy of `program`.
    ///
    /// - Parameters:
    ///   - program: The student program.
    ///   - trainset: Labeled examples to learn from.
    ///   - valset: Examples to choose between candidates, when the optimizer compares programs.
    ///   - context: Where the work is recorded and progress reported.
    func compile(_ program: Graph, trainset: [Example], valset: [Example]?, context: OptimizationContext)
        async throws -> Graph
}

extension Optimizer {
    /// Returns an optimized copy of `program`, recording its work in memory only.
    public func compile(_ program: Graph, trainset: [Example], valset: [Example]? = nil) async throws -> Graph {
        try await compile(program, trainset: trainset, valset: valset, context: OptimizationContext())
    }
}
