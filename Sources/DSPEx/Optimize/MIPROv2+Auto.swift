import Foundation

extension MIPROv2 {
    /// DSPy's preset budgets: how many candidates of each kind, and how large a validation set.
    public enum Auto: String, Sendable, Hashable, Codable, CaseIterable {
        /// 6 candidates, up to 100 validation examples.
        case light
        /// 12 candidates, up to 300 validation examples.
        case medium
        /// 18 candidates, up to 1,000 validation examples.
        case heavy

        /// Demo-set candidates per predictor (and instruction candidates for zero-shot runs; half as many
        /// otherwise).
        public var candidates: Int {
            switch self {
            case .light: 6
            case .medium: 12
            case .heavy: 18
            }
        }

        /// The most validation examples used.
        public var validationSize: Int {
            switch self {
            case .light: 100
            case .medium: 300
            case .heavy: 1000
            }
        }
    }

    /// The search's budget, as DSPy computes it.
    public struct Plan: Sendable, Hashable {
        /// Demo-set candidates per predictor.
        public var demoCandidates: Int
        /// Instruction candidates per predictor (the current instruction included).
        public var instructionCandidates: Int
        /// Search trials (minibatch trials when ``minibatch``).
        public var trials: Int
        /// Whether trials score on minibatches, with periodic full evaluations.
        public var minibatch: Bool
        /// The trials reported in all: the default program's full evaluation, the search trials and the full
        /// evaluations in between.
        public var reportedTrials: Int
    }

    /// DSPy's trial count for `predictors` predictors and `candidates` candidates:
    /// max(2 · variables · log₂ candidates, 1.5 · candidates), two variables per predictor unless zero-shot.
    public static func trials(predictors: Int, candidates: Int, zeroShot: Bool) -> Int {
        let variables = Double(predictors * (zeroShot ? 1 : 2))
        return Int(max(2 * variables * log2(Double(max(1, candidates))), 1.5 * Double(candidates)))
    }

    /// The evaluations reported as trials: the default program's full evaluation, the search trials, and — with
    /// minibatching — a full evaluation after every `fullEvalSteps` trials and after the last (DSPy's
    /// `adjusted_num_trials`).
    public static func reportedTrials(trials: Int, fullEvalSteps: Int, minibatch: Bool) -> Int {
        guard minibatch else { return trials + 1 }
        let steps = max(1, fullEvalSteps)
        return trials + trials / steps + 1 + (trials % steps != 0 ? 1 : 0)
    }
}
