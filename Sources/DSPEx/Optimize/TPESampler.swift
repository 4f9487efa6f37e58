/// A seeded Tree-structured Parzen Estimator over categorical parameters: the search strategy behind `MIPROv2`.
///
/// DSPy's MIPROv2 asks Optuna's `TPESampler(seed:, multivariate: true)` which instruction candidate and which
/// demo set each predictor should try next. This type does the same job for DSPEx, for categorical parameters
/// only, and *maximizes* the score.
///
/// - The first ``Configuration/startupTrials`` suggestions are uniformly random.
/// - Afterwards the finished trials are split into the best γ(n) = min(⌈0.1·n⌉, 25) ("good") and the rest
///   ("bad"). Each group becomes a mixture of product kernels, l(x) and g(x): one kernel per trial, which puts
///   extra mass on that trial's value of every parameter, plus a uniform prior kernel. ``Configuration/candidates``
///   joint points are drawn from l (pick a kernel, then every parameter from it), and the one with the largest
///   log l(x) − log g(x) is suggested. This is Optuna's multivariate TPE: parameters are sampled and scored
///   together, so combinations that worked together stay together.
///
/// `suggest(after:)` is a pure function of the seed and the trial history: suggestion *k* (made after *k*
/// trials) draws from a generator derived from the seed and *k* only. A resumed optimization that replays its
/// recorded trials therefore proposes exactly the points the interrupted run would have.
///
/// ```swift
/// let parameters: [TPESampler.Parameter] = [
///     .init(name: "0_predictor_instruction", choices: 5),
///     .init(name: "0_predictor_demos", choices: 4),
/// ]
/// let sampler = TPESampler(parameters: parameters, seed: 9)
/// var trials: [TPESampler.Trial] = []
/// for _ in 0..<30 {
///     let point = sampler.suggest(after: trials)
///     let score = evaluate(instruction: point["0_predictor_instruction", default: 0],
///                          demos: point["0_predictor_demos", default: 0])
///     trials.append(.init(values: point, score: score))
/// }
/// ```
///
/// Differences from Optuna: trials whose values miss a parameter or fall outside its range are left out of the
/// model (Optuna never records such trials); a NaN score ranks below every other score.
public struct TPESampler: Sendable {
    /// The parameters searched, in the order given at initialization.
    public let parameters: [Parameter]
    /// The seed every suggestion's random draws are derived from.
    public let seed: UInt64
    /// The sampler's options.
    public let configuration: Configuration

    /// Creates a sampler over categorical parameters.
    ///
    /// - Parameters:
    ///   - parameters: The parameters to search; names must be unique and every parameter needs at least one
    ///     choice.
    ///   - seed: Determines every random draw, together with the number of trials already made.
    ///   - configuration: Startup length, number of candidates and prior weight.
    public init(parameters: [Parameter], seed: UInt64, configuration: Configuration = .init()) {
        guard Set(parameters.map(\.name)).count == parameters.count else {
            preconditionFailure("TPESampler parameter names must be unique: \(parameters.map(\.name))")
        }
        guard parameters.allSatisfy({ $0.choices >= 1 }) else {
            preconditionFailure("Every TPESampler parameter needs at least one choice: \(parameters)")
        }
        guard configuration.priorWeight >= 0, configuration.priorWeight.isFinite else {
            preconditionFailure("TPESampler prior weight must be finite and non-negative: \(configuration.priorWeight)")
        }
        self.parameters = parameters
        self.seed = seed
        self.configuration = configuration
    }

    /// The next point to evaluate given the finished trials, deterministic for the same seed and trial history
    /// (so a resumed optimization that replays recorded trials proposes the same next points).
    ///
    /// - Parameter trials: Every finished trial so far, oldest first.
    /// - Returns: A value in `0..<choices` for every parameter, keyed by parameter name.
    public func suggest(after trials: [Trial]) -> [String: Int] {
        var generator = Self.generator(seed: seed, suggestion: trials.count)
        // Optuna leaves single-choice parameters out of the model; they are always 0.
        let searched = parameters.filter { $0.choices > 1 }
        var point = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, 0) })
        let observed = trials.compactMap { observation(of: $0, over: searched) }

        guard trials.count >= configuration.startupTrials, !observed.isEmpty else {
            for parameter in searched {
                point[parameter.name] = generator.next(below: parameter.choices)
            }
            return point
        }

        let (good, bad) = split(observed)
        let choices = searched.map(\.choices)
        let below = ParzenEstimator(observations: good, choices: choices, priorWeight: configuration.priorWeight)
        let above = ParzenEstimator(observations: bad, choices: choices, priorWeight: configuration.priorWeight)

        var best: (values: [Int], score: Double)?
        for _ in 0..<max(1, configuration.candidates) {
            let candidate = below.sample(using: &generator)
            let score = below.logDensity(of: candidate) - above.logDensity(of: candidate)
            if let current = best, !(score > current.score) { continue }
            best = (candidate, score)
        }
        guard let best else { preconditionFailure("At least one TPE candidate is always drawn") }
        for (parameter, value) in zip(searched, best.values) {
            point[parameter.name] = value
        }
        return point
    }

    /// The trial's values for `searched`, in order, or `nil` when one is missing or out of range.
    private func observation(of trial: Trial, over searched: [Parameter]) -> Observation? {
        var values: [Int] = []
        values.reserveCapacity(searched.count)
        for parameter in searched {
            guard let value = trial.values[parameter.name], (0..<parameter.choices).contains(value) else {
                return nil
            }
            values.append(value)
        }
        return Observation(values: values, score: trial.score.isNaN ? -.infinity : trial.score)
    }

    /// Splits observations into the best γ(n) = min(⌈0.1·n⌉, 25) and the rest, both kept in trial order.
    ///
    /// Ties in score go to the earlier trial, as Optuna's stable sort does.
    private func split(_ observed: [Observation]) -> (good: [[Int]], bad: [[Int]]) {
        let goodCount = min((observed.count + 9) / 10, 25)
        let ranked = observed.indices.sorted { lhs, rhs in
            observed[lhs].score != observed[rhs].score ? observed[lhs].score > observed[rhs].score : lhs < rhs
        }
        let goodIndices = Set(ranked.prefix(goodCount))
        var good: [[Int]] = []
        var bad: [[Int]] = []
        for (index, observation) in observed.enumerated() {
            if goodIndices.contains(index) {
                good.append(observation.values)
            } else {
                bad.append(observation.values)
            }
        }
        return (good, bad)
    }
}

extension TPESampler {
    /// A usable trial reduced to the searched parameters' values.
    private struct Observation {
        var values: [Int]
        var score: Double
    }
}
