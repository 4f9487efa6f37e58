extension SIMBA {
    /// The programs SIMBA has built so far, the student first, each with its minibatch scores — DSPy's
    /// `programs` and `program_scores`, with its `calc_average_score`, `top_k_plus_baseline` and `softmax_sample`.
    struct Pool {
        /// The programs by index; index 0 is the student.
        private(set) var programs: [Graph]
        /// Each program's state hash (its runs' journal steps are keyed by it).
        private(set) var hashes: [String]
        /// Each program's scores on the minibatch it was built on; the student's stay empty, as in DSPy.
        private(set) var scores: [[Double]]

        init(baseline: Graph) {
            programs = [baseline]
            hashes = [baseline.stateHash]
            scores = [[]]
        }

        /// A program's average minibatch score (0 with no scores: always so for the student).
        func averageScore(_ index: Int) -> Double {
            let list = scores[index]
            return list.isEmpty ? 0 : list.reduce(0, +) / Double(list.count)
        }

        /// The `k` best programs by average score (ties in the order they were built), with the student in the
        /// last place when it is not among them.
        func topPlusBaseline(_ k: Int) -> [Int] {
            let ranked = SIMBA.stableSorted(Array(programs.indices)) { averageScore($0) > averageScore($1) }
            var top = Array(ranked.prefix(k))
            if !top.contains(0), !top.isEmpty { top[top.count - 1] = 0 }
            var seen = Set<Int>()
            return top.filter { seen.insert($0).inserted }
        }

        /// One of `indices`, picked with probability proportional to `exp(score / temperature)` — Python's
        /// `random.choices` over the normalized weights (a uniform pick when the weights do not sum to a positive
        /// finite number).
        func softmaxSample(_ indices: [Int], temperature: Double, _ random: inout SeededGenerator) -> Int {
            guard !indices.isEmpty else { preconditionFailure("the pool always holds the student") }
            let weights = indices.map { SIMBA.exp(averageScore($0) / temperature) }
            let total = weights.reduce(0, +)
            guard total > 0, total.isFinite else { return indices[random.next(below: indices.count)] }
            var cumulative: [Double] = []
            var running = 0.0
            for weight in weights {
                running += weight / total
                cumulative.append(running)
            }
            let point = random.nextUnit() * (cumulative.last ?? 0)
            let position = cumulative.dropLast().firstIndex { $0 > point } ?? indices.count - 1
            return indices[position]
        }

        /// Adds a new candidate with its minibatch scores.
        mutating func register(_ program: Graph, scores list: [Double]) {
            programs.append(program)
            hashes.append(program.stateHash)
            scores.append(list)
        }
    }
}
