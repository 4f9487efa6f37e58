import struct DSPEx.SeededGenerator

/// The simulator's rule for answering "What is A + B?" — right more often when the prompt
/// carries demos or good instructions, so that prompt optimizers show measurable gains.
///
/// For a prompt with `d` demos the answer is correct with probability
///
///     p = min(0.5 + 0.1 × d + h, 0.95)
///
/// where `h` is 0.1 when the instructions contain one of ``hintPhrases`` (case-insensitive)
/// and 0 otherwise. A correct worked addition written into the instructions ("For example, 12 + 30 = 42.", as a
/// reflective optimizer writes what the feedback taught it) counts as a demo, each distinct one once
/// (``workedExampleCount(in:)``). Whether a given prompt is answered correctly is decided by a stable hash
/// of the whole prompt, the server's seed and the choice index, so the same prompt and seed
/// always get the same answer. A wrong answer is `A + B + k` with `k` in `-3...3`, never 0.
///
/// ```swift
/// ArithmeticOracle.probabilityCorrect(demoCount: 0, instructions: "")          // 0.5
/// ArithmeticOracle.probabilityCorrect(demoCount: 4, instructions: "")          // 0.9
/// ArithmeticOracle.probabilityCorrect(demoCount: 2, instructions: "Think step by step.")  // 0.8
/// ```
public enum ArithmeticOracle {
    /// Phrases in the instructions that raise the probability by ``hintBonus``.
    public static let hintPhrases = ["step by step", "carefully", "double-check"]

    /// The probability with no demos and no hint.
    public static let baseProbability = 0.5

    /// What each demo adds.
    public static let demoBonus = 0.1

    /// What a hint phrase in the instructions adds (once, however many phrases appear).
    public static let hintBonus = 0.1

    /// The cap: even a perfect prompt is sometimes answered wrongly.
    public static let maximumProbability = 0.95

    /// The probability that the simulator answers an addition correctly.
    ///
    /// - Parameters:
    ///   - demoCount: Demos in the prompt (assistant messages before the final user message, plus any
    ///     demos written into the system or user text).
    ///   - instructions: The task instructions (DSPy's "your objective is: ..." text); their worked additions count
    ///     as demos too.
    public static func probabilityCorrect(demoCount: Int, instructions: String) -> Double {
        Self.probabilityCorrect(
            demoCount: demoCount + Self.workedExampleCount(in: instructions), hasHint: Self.containsHint(instructions))
    }

    /// The probability given whether the instructions contain a hint phrase.
    public static func probabilityCorrect(demoCount: Int, hasHint: Bool) -> Double {
        let raw = Self.baseProbability + Self.demoBonus * Double(max(0, demoCount)) + (hasHint ? Self.hintBonus : 0)
        return min(raw, Self.maximumProbability)
    }

    /// The distinct correct additions "A + B = S" written in `instructions`, each of which counts as a demo.
    ///
    /// ```swift
    /// ArithmeticOracle.workedExampleCount(in: "For example, 12 + 30 = 42 and 1 + 1 = 3.")   // 1
    /// ```
    public static func workedExampleCount(in instructions: String) -> Int {
        guard instructions.contains("=") else { return 0 }
        var seen = Set<[Int]>()
        for match in instructions.matches(of: /(-?\d{1,18}) *\+ *(-?\d{1,18}) *= *(-?\d{1,19})/) {
            guard let a = Int(match.1), let b = Int(match.2), let sum = Int(match.3) else { continue }
            let (total, overflow) = a.addingReportingOverflow(b)
            if !overflow, total == sum { seen.insert([a, b]) }
        }
        return seen.count
    }

    /// Whether `instructions` contains one of ``hintPhrases``, ignoring case.
    public static func containsHint(_ instructions: String) -> Bool {
        let lowered = PromptText(instructions.lowercased())
        return Self.hintPhrases.contains { lowered.find($0) != nil }
    }

    /// The answer the simulator gives for `a + b`, decided by `decisionBits` (a hash of prompt, seed and choice).
    ///
    /// The answer is correct when `decisionBits` maps below `probability` in `0..<1`; otherwise the sum is
    /// off by a nonzero offset in `-3...3` drawn from the same bits.
    public static func answer(a: Int, b: Int, probability: Double, decisionBits: UInt64) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { return a }
        var random = SeededGenerator(state: decisionBits)
        guard random.nextUnit() >= probability else { return sum }
        let offsets = [-3, -2, -1, 1, 2, 3]
        let offset = offsets[Int(random.next() % UInt64(offsets.count))]
        let (wrong, wrongOverflow) = sum.addingReportingOverflow(offset)
        return wrongOverflow ? sum &- offset : wrong
    }
}
