import Foundation

extension TPESampler {
    /// A density over joint categorical points: a weighted mixture of one product kernel per observed trial plus
    /// a uniform prior kernel, as in Optuna's multivariate `_ParzenEstimator`.
    ///
    /// With *n* observations there are *n* + 1 kernels. Kernel *i* gives parameter *p* the distribution
    /// proportional to `priorWeight / (n + 1)` for every value plus 1 for the value trial *i* had; the prior
    /// kernel is uniform. Kernel weights follow Optuna's `default_weights` (equal for fewer than 25
    /// observations, otherwise a linear ramp that down-weights all but the latest 25) with the prior kernel
    /// weighted `priorWeight`, all normalized. With no observations the density is uniform.
    struct ParzenEstimator {
        /// Normalized mixture weight of each kernel: observations in trial order, then the prior.
        private let weights: [Double]
        /// `probabilities[kernel][parameter][value]`; each innermost array sums to 1 (or is all zero).
        private let probabilities: [[[Double]]]

        /// Builds the density.
        ///
        /// - Parameters:
        ///   - observations: Each observed trial's values, oldest first, one per parameter in `choices` order.
        ///   - choices: The number of values of each parameter.
        ///   - priorWeight: Weight of the prior kernel and the smoothing added to each observation's kernel.
        init(observations: [[Int]], choices: [Int], priorWeight: Double) {
            let uniform = choices.map { count in [Double](repeating: 1 / Double(count), count: count) }
            guard !observations.isEmpty else {
                weights = [1]
                probabilities = [uniform]
                return
            }
            let raw = Self.recencyWeights(count: observations.count) + [priorWeight]
            let total = raw.reduce(0, +)
            weights = raw.map { $0 / total }

            let smoothing = priorWeight / Double(observations.count + 1)
            var kernels = observations.map { values in
                zip(choices, values).map { count, value in
                    var row = [Double](repeating: smoothing, count: count)
                    row[value] += 1
                    let sum = smoothing * Double(count) + 1
                    return row.map { $0 / sum }
                }
            }
            // The prior kernel; with a zero prior weight Optuna leaves it all zero, and so does this.
            kernels.append(priorWeight > 0 ? uniform : choices.map { [Double](repeating: 0, count: $0) })
            probabilities = kernels
        }

        /// Draws one joint point: a kernel by weight, then every parameter from that kernel.
        func sample(using generator: inout SeededGenerator) -> [Int] {
            let kernel = Self.draw(from: weights, using: &generator)
            return probabilities[kernel].map { row in Self.draw(from: row, using: &generator) }
        }

        /// The log of the mixture density at `values` (one value per parameter); `-infinity` where it is zero.
        func logDensity(of values: [Int]) -> Double {
            let terms = zip(weights, probabilities).map { weight, kernel in
                zip(kernel, values).reduce(log(weight)) { sum, pair in sum + log(pair.0[pair.1]) }
            }
            let largest = terms.max() ?? -.infinity
            guard largest > -.infinity else { return -.infinity }
            return largest + log(terms.reduce(0) { $0 + exp($1 - largest) })
        }

        /// Optuna's `default_weights(n)`: all 1 below 25 observations, otherwise `linspace(1/n, 1, n - 25)`
        /// for the oldest and 1 for the latest 25.
        static func recencyWeights(count: Int) -> [Double] {
            guard count >= 25 else { return [Double](repeating: 1, count: count) }
            let rampCount = count - 25
            let start = 1 / Double(count)
            let ramp = (0..<rampCount).map { index in
                rampCount == 1 ? start : start + Double(index) * (1 - start) / Double(rampCount - 1)
            }
            return ramp + [Double](repeating: 1, count: 25)
        }

        /// An index drawn with probability proportional to `weights` (which sum to 1); ignores zero weights.
        private static func draw(from weights: [Double], using generator: inout SeededGenerator) -> Int {
            let quantile = generator.nextUnit()
            var cumulative = 0.0
            for (index, weight) in weights.enumerated() {
                cumulative += weight
                if quantile < cumulative {
                    return index
                }
            }
            // Rounding left the cumulative sum just below the quantile: take the last index that can occur.
            guard let last = weights.lastIndex(where: { $0 > 0 }) else {
                preconditionFailure("A TPE kernel has no positive weight")
            }
            return last
        }
    }
}
