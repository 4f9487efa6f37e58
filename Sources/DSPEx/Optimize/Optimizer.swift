/// Improves a program's prompts — instructions and demos of its predictors — from training data.
///
/// DSPy calls these teleprompters; DSPEx has one name for the concept. An optimizer returns a new
/// program; the one it was given is unchanged.
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
    func compile(_ program: Graph, trainset: [Example], valset: [Example]?) async throws -> Graph
}

extension Optimizer {
    /// Returns an optimized copy of `program` without a separate validation set.
    public func compile(_ program: Graph, trainset: [Example]) async throws -> Graph {
        try await compile(program, trainset: trainset, valset: nil)
    }
}
