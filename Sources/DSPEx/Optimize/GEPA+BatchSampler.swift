extension GEPA {
    /// gepa's `EpochShuffledBatchSampler`: the training set shuffled once per epoch, padded to a whole number of
    /// minibatches with its least frequent examples, and cut into consecutive minibatches; iteration `i` takes
    /// minibatch `i` of the epoch it falls in (iterations spent on merges skip theirs, as in gepa).
    struct BatchSampler: Sendable, Hashable {
        let minibatchSize: Int
        private(set) var shuffled: [Int] = []
        private var epoch = -1
        private var trainCount = 0

        init(minibatchSize: Int) {
            self.minibatchSize = max(1, minibatchSize)
        }

        /// The training-set positions of iteration `iteration`'s minibatch.
        mutating func next(
            trainCount count: Int, iteration: Int, using random: inout SeededGenerator
        ) -> [Int] {
            let base = iteration * minibatchSize
            let current = epoch == -1 ? 0 : base / max(shuffled.count, 1)
            if shuffled.isEmpty || count != trainCount || current > epoch {
                epoch = current
                reshuffle(count: count, using: &random)
            }
            let start = base % shuffled.count
            return Array(shuffled[start..<(start + minibatchSize)])
        }

        private mutating func reshuffle(count: Int, using random: inout SeededGenerator) {
            trainCount = count
            shuffled = Array(0..<count)
            GEPA.shuffle(&shuffled, using: &random)
            // Pad with the least frequent id, the last such one in the shuffled order (Counter.most_common()[::-1]).
            var frequency = Dictionary(uniqueKeysWithValues: shuffled.map { ($0, 1) })
            let remainder = count % minibatchSize
            let padding = remainder == 0 ? 0 : minibatchSize - remainder
            let order = shuffled
            for _ in 0..<padding {
                let least = order.map { frequency[$0] ?? 0 }.min() ?? 0
                guard let chosen = order.last(where: { frequency[$0] == least }) else { break }
                shuffled.append(chosen)
                frequency[chosen, default: 0] += 1
            }
        }
    }

    /// Python's `random.shuffle`: Fisher–Yates from the last position down.
    static func shuffle<T>(_ elements: inout [T], using random: inout SeededGenerator) {
        guard elements.count > 1 else { return }
        for position in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(position, random.next(below: position + 1))
        }
    }

    /// Python's `random.sample`: `count` distinct elements in draw order.
    static func sample<T>(_ elements: [T], count: Int, using random: inout SeededGenerator) -> [T] {
        var pool = elements
        var chosen: [T] = []
        for drawn in 0..<min(max(0, count), elements.count) {
            let index = random.next(below: elements.count - drawn)
            chosen.append(pool[index])
            pool[index] = pool[elements.count - drawn - 1]
        }
        return chosen
    }
}
