import struct DSPEx.SeededGenerator

/// How the simulator plays the agent in DSPy's ReAct prompts, so tool-using programs can be run and optimized
/// offline.
///
/// A **step** prompt (outputs `next_thought`, `next_tool_name`, `next_tool_args`) for "What is A + B?": with no
/// observation yet, the agent calls a listed calculator tool (a name containing `calc`) with `"A + B"` as its first
/// argument — with probability `min(0.6 + 0.1 × demos + 0.1 × hint, 0.95)`, else it finishes at once; once the
/// trajectory holds an observation, it finishes. An **extract** prompt (a `trajectory` input, other outputs)
/// answers with the last numeric observation; without one it falls back to ``ArithmeticOracle``. So a program
/// whose prompts make the agent use its tool scores higher, and bootstrapped demos have something to teach.
struct AgentPolicy {
    let analysis: PromptAnalysis
    let tools: [AgentTool]
    let decisionBits: UInt64

    /// The probability that the agent uses its calculator when it should.
    static func probabilityOfToolUse(demoCount: Int, hasHint: Bool) -> Double {
        min(0.6 + 0.1 * Double(max(0, demoCount)) + (hasHint ? 0.1 : 0), 0.95)
    }

    /// Whether the prompt is a ReAct step.
    var isStep: Bool {
        let names = Set(analysis.outputFields.map(\.name))
        return names.contains("next_tool_name") && names.contains("next_tool_args")
    }

    /// The value of the last observation that is a number (the `finish` step's "Completed." is not).
    var lastNumericObservation: Double? {
        analysis.inputs.reversed().lazy.filter { $0.name.hasPrefix("observation_") }.compactMap {
            Double($0.value.trimmed)
        }.first
    }

    /// Whether the trajectory already holds an observation.
    var hasObservation: Bool { analysis.inputs.contains { $0.name.hasPrefix("observation_") } }

    /// The step's values: thought, tool name and arguments.
    func step() -> [String: JSONValue] {
        let calculator = tools.first { $0.name.lowercased().contains("calc") }
        var random = SeededGenerator(state: decisionBits)
        let usesTool =
            random.nextUnit()
            < Self.probabilityOfToolUse(
                demoCount: analysis.demoCount, hasHint: analysis.instructionsHaveHint)
        if !hasObservation, let calculator, let argument = calculator.arguments.first,
            let problem = analysis.arithmetic, usesTool
        {
            return [
                "next_thought": .string("I will use the \(calculator.name) tool to add \(problem.a) and \(problem.b)."),
                "next_tool_name": .string(calculator.name),
                "next_tool_args": .object([(key: argument, value: .string("\(problem.a) + \(problem.b)"))]),
            ]
        }
        let thought =
            hasObservation ? "The observation has the result, so I can finish." : "I know enough to answer."
        return [
            "next_thought": .string(thought), "next_tool_name": .string("finish"), "next_tool_args": .object([]),
        ]
    }
}

extension String {
    fileprivate var trimmed: String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
