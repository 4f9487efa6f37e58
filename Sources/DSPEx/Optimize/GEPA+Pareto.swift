extension GEPA {
    /// How GEPA picks the candidate to mutate next.
    public struct CandidateSelection: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// gepa's `pareto`: a random candidate among those on the Pareto front of the validation examples (after
        /// removing dominated ones), weighted by how many examples each is best on; drawn from the seeded
        /// generator.
        public static let pareto = CandidateSelection(name: "pareto")
        /// gepa's `current_best`: the candidate with the best mean validation score (the first of equals).
        public static let currentBest = CandidateSelection(name: "current_best")
    }

    /// The candidate to mutate: the Pareto draw or the current best (see ``CandidateSelection``).
    static func selectCandidate(
        _ selection: CandidateSelection, state: GEPAState, using random: inout SeededGenerator
    ) -> Int {
        if selection == .currentBest { return state.bestIndex }
        return selectFromParetoFront(state.front, scores: state.meanScores, using: &random)
    }

    /// gepa's `select_program_candidate_from_pareto_front`: removes dominated candidates from every example's
    /// front, lists each remaining candidate once per example it is best on, and draws one entry uniformly.
    ///
    /// Candidates are listed in their first appearance over the examples in order (each front ascending), where
    /// gepa iterates Python sets.
    static func selectFromParetoFront(_ front: [[Int]], scores: [Double], using random: inout SeededGenerator) -> Int {
        let fronts = withoutDominated(front, scores: scores)
        var order: [Int] = []
        var frequency: [Int: Int] = [:]
        for members in fronts {
            for program in members {
                if frequency[program] == nil { order.append(program) }
                frequency[program, default: 0] += 1
            }
        }
        let entries = order.flatMap { program in Array(repeating: program, count: frequency[program] ?? 0) }
        guard !entries.isEmpty else { preconditionFailure("The Pareto front holds at least the seed candidate") }
        return entries[random.next(below: entries.count)]
    }

    /// gepa's `find_dominator_programs`: the candidates left on some front once dominated ones are removed,
    /// ascending.
    static func dominators(_ front: [[Int]], scores: [Double]) -> [Int] {
        Array(Set(withoutDominated(front, scores: scores).flatMap { $0 })).sorted()
    }

    /// gepa's `remove_dominated_programs`: repeatedly drops the lowest-scoring candidate every one of whose fronts
    /// holds another remaining candidate, then keeps only the survivors in each example's front.
    static func withoutDominated(_ front: [[Int]], scores: [Double]) -> [[Int]] {
        var programs: [Int] = []
        var seen = Set<Int>()
        for members in front {
            for program in members.sorted() where seen.insert(program).inserted { programs.append(program) }
        }
        // A stable sort by score, lowest first, as Python's `sorted`.
        programs = programs.enumerated().sorted { lhs, rhs in
            let (left, right) = (scores[lhs.element], scores[rhs.element])
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
        var dominated = Set<Int>()
        var removed = true
        while removed {
            removed = false
            for program in programs where !dominated.contains(program) {
                let others = Set(programs).subtracting([program]).subtracting(dominated)
                let fronts = front.filter { $0.contains(program) }
                if fronts.allSatisfy({ $0.contains(where: others.contains) }) {
                    dominated.insert(program)
                    removed = true
                    break
                }
            }
        }
        return front.map { members in members.sorted().filter { !dominated.contains($0) } }
    }
}
