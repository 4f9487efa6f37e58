extension SIMBA {
    /// One example's runs in a step, best first, with DSPy's sort key: max-to-min gap, max score, max-to-average
    /// gap.
    struct Bucket {
        /// The runs, by descending score (equal scores in sampling order).
        var runs: [Trajectory]
        var maxToMinGap: Double
        var maxScore: Double
        var maxToAverageGap: Double

        init(_ runs: [Trajectory]) {
            self.runs = SIMBA.stableSorted(runs) { $0.score > $1.score }
            maxScore = self.runs.first?.score ?? 0
            let average = runs.isEmpty ? 0 : runs.reduce(0) { $0 + $1.score } / Double(runs.count)
            maxToMinGap = maxScore - (self.runs.last?.score ?? 0)
            maxToAverageGap = maxScore - average
        }

        /// The best run.
        var best: Trajectory {
            guard let first = runs.first else { preconditionFailure("a bucket holds one run per sampling setting") }
            return first
        }

        /// The worst run.
        var worst: Trajectory {
            guard let last = runs.last else { preconditionFailure("a bucket holds one run per sampling setting") }
            return last
        }
    }

    /// The step's buckets, one per example of the minibatch, widest gaps first (ties in minibatch order).
    ///
    /// - Parameter samples: The runs by sampling setting, then by example.
    static func buckets(_ samples: [[Trajectory]]) -> [Bucket] {
        guard let first = samples.first else { return [] }
        let buckets = first.indices.map { example in Bucket(samples.map { $0[example] }) }
        return stableSorted(buckets) {
            ($0.maxToMinGap, $0.maxScore, $0.maxToAverageGap) > ($1.maxToMinGap, $1.maxScore, $1.maxToAverageGap)
        }
    }

    /// numpy's `percentile` with linear interpolation (its default), `q` from 0 to 100; 0 for no values.
    static func percentile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let position = Double(sorted.count - 1) * (q / 100)
        let lower = min(Int(position.rounded(.down)), sorted.count - 1)
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        let (low, high) = (sorted[lower], sorted[upper])
        // numpy's `_lerp`, which interpolates from the nearer end.
        return fraction >= 0.5 ? high - (high - low) * (1 - fraction) : low + (high - low) * fraction
    }

    /// `elements` sorted by `areInIncreasingOrder`, equal elements in their original order (Python's `sorted`).
    static func stableSorted<T>(_ elements: [T], by areInIncreasingOrder: (T, T) -> Bool) -> [T] {
        elements.enumerated().sorted { left, right in
            if areInIncreasingOrder(left.element, right.element) { return true }
            if areInIncreasingOrder(right.element, left.element) { return false }
            return left.offset < right.offset
        }.map(\.element)
    }
}
