import OrderedCollections

/// Keeps a bounded, uniformly sampled set of latencies per stage (reservoir sampling with a fixed
/// seed), so percentiles cost constant memory however long the run.
struct LatencyReservoir {
    private var samples: OrderedDictionary<String, [Double]> = [:]
    private var seen: [String: Int] = [:]
    private var generator = SeededGenerator(seed: 0)
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    mutating func add(stage: String, latency: Duration) {
        let milliseconds = latency.milliseconds
        let count = seen[stage, default: 0] + 1
        seen[stage] = count
        if samples[stage, default: []].count < capacity {
            samples[stage, default: []].append(milliseconds)
        } else {
            let slot = Int.random(in: 0..<count, using: &generator)
            if slot < capacity { samples[stage]?[slot] = milliseconds }
        }
    }

    func summaries() -> OrderedDictionary<String, LatencySummary> {
        samples.mapValues { values in
            let sorted = values.sorted()
            func percentile(_ p: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                let index = min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))
                return sorted[index]
            }
            return LatencySummary(p50Milliseconds: percentile(0.5), p95Milliseconds: percentile(0.95))
        }
    }

}
