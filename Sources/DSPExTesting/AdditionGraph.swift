import DSPEx

/// The one-stage program most tests run: a `solve` Predict of `question -> answer: int` reading the dataset's
/// `question`, its `answer` the program's output.
///
/// ```swift
/// let graph = try additionGraph(ScriptedLM(replies: ["[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]"]))
/// ```
///
/// - Parameters:
///   - lm: The stage's model.
///   - options: The stage's call options (temperature, max tokens).
public func additionGraph(_ lm: any LanguageModel, options: LMOptions = LMOptions()) throws -> Graph {
    try Graph(
        stages: [
            Stage(
                "solve", try Predict("question -> answer: int", lm: lm, options: options),
                inputs: ["question": .input(field: "question")])
        ],
        outputs: ["answer": .stage(id: "solve", field: "answer")])
}
