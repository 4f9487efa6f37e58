import OrderedCollections

/// Keeps a bounded, uniformly sampled set of latencies per stage (reservoir sampling with a fixed
/// seed), so percentiles cost constant memory however long the run.
struct LatencyReservoir {
    private var samples: OrderedDictionary<String, [Double]> = [:]
    private var seen: [String: Int] = [:]
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    mutating func add(stage: String, latency: Duration) {
        let milliseconds = Double(latency.components.seconds) * 1000 + Double(latency.components.attoseconds) / 1e15
        let count = seen[stage, default: 0] + 1
        seen[stage] = count
        if samples[stage, default: []].count < capacity {
            samples[stage, default: []].append(milliseconds)
        } else {
            let slot = Int(nextRandom() % UInt64(count))
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

    /// SplitMix64.
    private mutating func nextRandom() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
