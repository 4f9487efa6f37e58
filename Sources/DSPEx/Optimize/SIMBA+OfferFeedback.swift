import OrderedCollections

extension SIMBA {
    /// The instructions of DSPy's `OfferFeedback` signature in `dspy/teleprompt/simba_utils.py` (DSPy 3.4.1), its
    /// docstring as DSPy's `Signature` stores it (`inspect.cleandoc`). Not ``OfferFeedback``, which is `Refine`'s.
    public static let offerFeedbackInstructions = """
        You will be given two trajectories of an LLM-driven program's execution. Your goal is to help the program's \
        modules
        build up experience on how to maximize the reward value assigned to the program's outputs if it were to \
        receive
        similar inputs in the future.

        The module won't see its own history. It will rely on your advice balancing being concrete and being \
        generalizable.

        In your advice:
        - Avoid boilerplate. Offer advice that would change the module's behavior for the better in the future.
        - Ensure that advice offered to a module M is specific to that M's specific sub-task, not the overall program.
        - Rely on contrasting the behavior of the worse trajectory against the better trajectory in making \
        recommendations.
        - Ensure each unique module name appears exactly once as a key in the advice dictionary.
        """

    /// The signature of SIMBA's rule call, DSPy 3.4.1's `OfferFeedback` of `simba_utils.py`: thirteen inputs, all
    /// passed as text as DSPy passes them (the reward values are declared `float` and the module names
    /// `list[str]`), and the outputs `discussion` and `module_advice` (`dict[str, str]`).
    public static let offerFeedback: Signature = {
        let trajectory = "The trajectory of the program's execution, showing each module's I/O"
        let outputs = "The outputs of the program that we are analyzing"
        let reward = "The reward value assigned to the program's outputs"
        let info = "Additional information that might be helpful to understanding the assigned reward value."
        return Signature(
            inputs: [
                Field(name: "program_code", description: "The code of the program that we are analyzing"),
                Field(
                    name: "modules_defn",
                    description: "The definition of each module in the program, including its I/O"),
                Field(name: "program_inputs", description: "The inputs to the program that we are analyzing"),
                Field(
                    name: "oracle_metadata",
                    description: "Any (hidden) metadata about the training set instance we're analyzing"),
                Field(name: "worse_program_trajectory", description: trajectory),
                Field(name: "worse_program_outputs", description: outputs),
                Field(name: "worse_reward_value", type: .double, description: reward),
                Field(name: "worse_reward_info", description: info),
                Field(name: "better_program_trajectory", description: trajectory),
                Field(name: "better_program_outputs", description: outputs),
                Field(name: "better_reward_value", type: .double, description: reward),
                Field(name: "better_reward_info", description: info),
                Field(
                    name: "module_names", type: .list(.string),
                    description: "The names of the modules in the program, for which we seek advice"),
            ],
            outputs: [
                Field(name: "discussion", description: "Discussing blame of where each module went wrong, if it did"),
                Field(
                    name: "module_advice", type: .dictionary(.string),
                    description: "For each module, describe very concretely: If the module receives ${description "
                        + "of input or patterns therein}, then it should ${description of content, behavior, or "
                        + "strategies to adopt and/or others to avoid}. Basically, your advice be such that if the "
                        + "module has access to your tip, it would be much more likely to act like the successful "
                        + "trajectory rather than the lower-scoring trajectory."),
            ],
            instructions: offerFeedbackInstructions)
    }()

    /// One side of the rule call: a run's predictor calls, reward and outputs (`nil` for a run that failed).
    private struct Side {
        var trace: [StepResult.Call]
        var reward: String
        var outputs: OrderedDictionary<String, Value>?

        init(_ run: Trajectory) {
            trace = run.result.trace
            reward = OfferFeedback.jsonText(.double(run.score))
            outputs = run.result.error == nil ? run.result.outputs : nil
        }

        /// DSPy's stand-in for the side of two equal runs that is not shown.
        init(notAvailable: ()) {
            trace = []
            reward = "N/A"
            outputs = ["N/A": "Prediction not available"]
        }
    }

    /// The rule call's inputs, built as DSPy's `append_a_rule` builds them: the best and worst runs of the bucket
    /// (when they score alike, one of them replaced by "N/A"), every non-text value as orjson's indented JSON.
    ///
    /// - Throws: ``StrategyFailure`` when the best run shown failed (DSPy's `dict(None)`).
    func ruleInputs(_ bucket: Bucket, program: Graph, bounds: Bounds) throws -> OrderedDictionary<String, Value> {
        var good = Side(bucket.best)
        var bad = Side(bucket.worst)
        if bucket.best.score <= bucket.worst.score {
            if bucket.runs.count == 1 {
                // DSPy's best and worst are then one record, changed once for both.
                (good, bad) = (Side(notAvailable: ()), Side(notAvailable: ()))
            } else if bucket.best.score > bounds.percentile90 {
                bad = Side(notAvailable: ())
            } else {
                good = Side(notAvailable: ())
            }
        }
        guard let goodOutputs = good.outputs else {
            throw StrategyFailure(message: "the best run has no prediction: \(bucket.best.result.error ?? "")")
        }
        let names = program.namedPredictors.map(\.name)
        func trajectory(_ calls: [StepResult.Call]) -> String {
            let steps = calls.filter { names.contains($0.predictor) }.map { call -> Value in
                [
                    "module_name": .string(call.predictor), "inputs": .object(call.inputs),
                    "outputs": .object(call.outputs),
                ]
            }
            return OfferFeedback.jsonText(.array(steps))
        }
        let example = bucket.best.example
        let noInfo = OfferFeedback.jsonText(.object([:]))
        let texts: KeyValuePairs<String, String> = [
            "program_code": Self.describe(program),
            "modules_defn": Refine.inspectModules(program.namedPredictors),
            "program_inputs": OfferFeedback.jsonText(.object(example.inputs)),
            "oracle_metadata": OfferFeedback.jsonText(.object(example.labels)),
            "worse_program_trajectory": trajectory(bad.trace),
            "worse_program_outputs": OfferFeedback.jsonText(.object(bad.outputs ?? [:])),
            "worse_reward_value": bad.reward,
            "worse_reward_info": noInfo,
            "better_program_trajectory": trajectory(good.trace),
            "better_program_outputs": OfferFeedback.jsonText(.object(goodOutputs)),
            "better_reward_value": good.reward,
            "better_reward_info": noInfo,
            "module_names": OfferFeedback.jsonText(.array(names.map(Value.string))),
        ]
        return OrderedDictionary(uniqueKeysWithValues: texts.map { ($0.key, Value.string($0.value)) })
    }

    /// The rule call's `program_code`: DSPy sends the Python source of the program's class; a Swift graph has no
    /// source at run time, so DSPEx describes its stages and their predictors.
    ///
    /// ```
    /// A DSPEx program: a graph of stages in Swift (its source is not available at run time)
    /// Stages:
    /// - solve (Predict<DynamicSignature>): question -> answer
    ///   - predictor solve: question -> answer
    /// ```
    public static func describe(_ program: Graph) -> String {
        var lines = [
            "A DSPEx program: a graph of stages in Swift (its source is not available at run time)", "Stages:",
        ]
        for stage in program.stages {
            lines.append(
                "- \(stage.id) (\(String(describing: type(of: stage.module)))): \(stage.signature.shortDescription)")
            for predictor in stage.module.namedPredictors {
                lines.append("  - predictor \(predictor.name): \(predictor.state.signature.shortDescription)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
