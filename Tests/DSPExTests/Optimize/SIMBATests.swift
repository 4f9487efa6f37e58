import DSPEx
import DSPExTesting
import Foundation
import Synchronization
import Testing

/// SIMBA: it lifts the simulator's arithmetic score, is deterministic, sends DSPy's rule prompt, and resumes from its
/// journal without re-running recorded examples.
@Suite(.timeLimit(.minutes(2)))
struct SIMBATests {
    @Test("SIMBA lifts the arithmetic dev score on the simulator by appending demos from its best trajectories")
    func liftsScore() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 48)
        let devset = try await OptimizerTests.load("arithmetic_dev.jsonl", limit: 100)
        try await withSimulatedLM { lm, server in
            let program = try OptimizerTests.program(lm)
            let before = try await OptimizerTests.score(program, on: devset)
            server.reset()
            let context = OptimizationContext()
            let outcome = try await SIMBA(
                metric: .exactMatch(), bsize: 16, numCandidates: 6, maxSteps: 8, promptModel: lm
            )
            .optimize(program, trainset: trainset, valset: nil, context: context)
            let requests = server.stats().requests
            let after = try await OptimizerTests.score(outcome.program, on: devset)
            #expect(before < 0.65, "before: \(before)")
            #expect(after >= 0.8 && after >= before + 0.2, "before: \(before), after: \(after)")
            // At most DSPy's requests for these options — per step six samples of each of 16 examples and up to
            // seven candidates on them, then up to seven programs on the training set — as nothing runs twice.
            #expect(requests < 8 * (6 * 16 + 7 * 16) + 7 * 48, "requests: \(requests)")
            let demos = try #require(outcome.program.namedPredictors.first?.state.demos)
            #expect(!demos.isEmpty && demos.allSatisfy { $0["augmented"] == true })
            // DSPy's candidate_programs: best first, the returned program among them; trial_logs per step.
            let scores = outcome.candidatePrograms.map(\.score)
            #expect(scores == scores.sorted(by: >))
            #expect(outcome.candidatePrograms.first?.score == outcome.score)
            #expect(outcome.trialLogs.keys.elements == Array(0..<8))
            #expect(outcome.trialLogs.values.contains { $0["train_score"] != nil })
        }
    }

    @Test("two runs with the same seed return the same program and candidates; the journal holds the result")
    func deterministic() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 24)
        try await withSimulatedLM(configure: { $0.cache = nil }) { lm, _ in
            let program = try OptimizerTests.program(lm)
            let simba = SIMBA(metric: .exactMatch(), bsize: 8, numCandidates: 3, maxSteps: 4, promptModel: lm, seed: 5)
            let first = OptimizationContext()
            let one = try await simba.optimize(program, trainset: trainset, valset: nil, context: first)
            let two = try await simba.optimize(
                program, trainset: trainset, valset: nil, context: OptimizationContext())
            #expect(one.program.savedState() == two.program.savedState())
            #expect(
                one.candidatePrograms.map { $0.program.savedState() }
                    == two.candidatePrograms.map { $0.program.savedState() })
            #expect(one.trialLogs == two.trialLogs)
            #expect(one.candidatePrograms.count > 1)
            let result = try await #require(try first.journal.value(for: "result"))
            #expect(result["program"] == one.program.savedState())
            #expect(result["score"]?.doubleValue == one.score)
        }
    }

    @Test("samples are drawn at temperature 1.0 even from a predictor with its own; evaluations keep its own")
    func samplingTemperature() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 12)
        let lm = ScriptedLM { request in Self.reply(to: request) }
        let program = try additionGraph(lm, options: LMOptions(temperature: 0))
        _ = try await SIMBA(
            metric: .exactMatch(), bsize: 6, numCandidates: 3, maxSteps: 1, maxDemos: 0, promptModel: lm
        ).compile(program, trainset: trainset)
        let sampled = lm.requests.filter { $0.rolloutID != nil }
        #expect(!sampled.isEmpty && sampled.allSatisfy { $0.temperature == 1.0 })
        let evaluated = lm.requests.filter {
            $0.rolloutID == nil && $0.messages.first?.content.contains("`module_advice`") != true
        }
        #expect(!evaluated.isEmpty && evaluated.allSatisfy { $0.temperature == 0 })
    }

    @Test("append_a_rule sends DSPy's OfferFeedback prompt and appends the advice to the predictor's instructions")
    func rulePrompt() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 12)
        let lm = ScriptedLM { request in Self.reply(to: request) }
        // A predictor without a temperature of its own, so the samples are drawn at DSPy's 1.0.
        let program = try additionGraph(lm)
        let original = try #require(program.namedPredictors.first?.state.signature.instructions)
        // maxDemos 0 leaves append_a_rule as the only strategy.
        let optimized = try await SIMBA(
            metric: .exactMatch(), bsize: 6, numCandidates: 3, maxSteps: 2, maxDemos: 0, promptModel: lm
        ).compile(program, trainset: trainset)
        let rules = lm.requests.filter { $0.messages.first?.content.contains("`module_advice`") == true }
        let rule = try #require(rules.first)
        #expect(rule.messages.count == 2)
        #expect(rule.messages.first?.content == Self.dspySystemMessage)
        let user = try #require(rule.messages.last?.content)
        let markers = [
            "program_code", "modules_defn", "program_inputs", "oracle_metadata", "worse_program_trajectory",
            "worse_program_outputs", "worse_reward_value", "worse_reward_info", "better_program_trajectory",
            "better_program_outputs", "better_reward_value", "better_reward_info", "module_names",
        ].map { "[[ ## \($0) ## ]]" }
        let positions = markers.compactMap { user.range(of: $0)?.lowerBound }
        #expect(positions.count == markers.count && positions == positions.sorted())
        #expect(user.contains("[[ ## worse_reward_value ## ]]\n0.0\n\n[[ ## worse_reward_info ## ]]\n{}\n"))
        #expect(user.contains("[[ ## better_reward_value ## ]]\n1.0\n\n[[ ## better_reward_info ## ]]\n{}\n"))
        #expect(user.contains("[[ ## module_names ## ]]\n[\n  \"solve\"\n]"))
        #expect(user.contains("[[ ## program_inputs ## ]]\n{\n  \"question\": \"What is "))
        #expect(user.contains("[[ ## oracle_metadata ## ]]\n{\n  \"id\": \"train-"))
        #expect(user.contains("\"module_name\": \"solve\""))
        #expect(
            user.contains(
                "--------------------------------------------------------------------------------\nModule solve"))
        // No sampling settings on the rule call; distinct rollout ids for the samples.
        #expect(rule.rolloutID == nil)
        let rollouts = Set(lm.requests.compactMap(\.rolloutID))
        #expect(rollouts == [0, 1, 2])
        #expect(lm.requests.filter { $0.rolloutID != nil }.allSatisfy { $0.temperature == 1.0 })
        // The advice (which makes every answer right) is appended after a blank line, and wins.
        #expect(optimized.namedPredictors.first?.state.signature.instructions == original + "\n\nAdd carefully.")
    }

    @Test("a run stopped part way resumes from a store-backed journal without re-running recorded examples")
    func resumes() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 16)
        let simba = { (lm: ScriptedLM) in
            SIMBA(metric: .exactMatch(), bsize: 6, numCandidates: 3, maxSteps: 3, promptModel: lm, concurrency: 1)
        }
        let reference = ScriptedLM { request in Self.reply(to: request) }
        let expected = try await simba(reference).compile(try OptimizerTests.program(reference), trainset: trainset)
        let total = reference.requests.count

        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let run = try store.createRun(
            name: "simba", kind: RunRecord.Kind.compile, pipeline: "arithmetic.yaml", pipelineHash: "p",
            datasetHash: "d", config: "{}")
        let id = try #require(run.id)
        // The first process's budget runs out after 40 requests: the run stops with what finished recorded.
        let answered = Mutex(0)
        let limited = ScriptedLM { request in
            let allowed = answered.withLock { count in
                count += 1
                return count <= 40
            }
            guard allowed else { throw LMError(code: .budgetExhausted, message: "the test's budget is spent") }
            return Self.reply(to: request)
        }
        await #expect(throws: LMError.self) {
            _ = try await simba(limited).compile(
                try OptimizerTests.program(limited), trainset: trainset, valset: nil,
                context: OptimizationContext(journal: CompileJournal(store: store, runID: id)))
        }
        let resumedLM = ScriptedLM { request in Self.reply(to: request) }
        let context = OptimizationContext(journal: CompileJournal(store: store, runID: id))
        let resumed = try await simba(resumedLM).compile(
            try OptimizerTests.program(resumedLM), trainset: trainset, valset: nil, context: context)
        #expect(resumed.savedState() == expected.savedState())
        // Every one of the 40 answered requests was recorded and none is asked again.
        #expect(resumedLM.requests.count == total - 40, "total \(total), resumed \(resumedLM.requests.count)")
        #expect(context.progress.replayedResults > 0)
    }

    @Test("options that do not fit are refused before any call: a training set smaller than bsize, no prompt model")
    func refusesBadOptions() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 4)
        let lm = ScriptedLM(replies: [])
        let program = try OptimizerTests.program(lm)
        await #expect(throws: OptimizeError.self) {
            _ = try await SIMBA(metric: .exactMatch(), bsize: 8, promptModel: lm).compile(program, trainset: trainset)
        }
        await #expect(throws: OptimizeError.self) {
            _ = try await SIMBA(metric: .exactMatch(), bsize: 2).compile(program, trainset: trainset)
        }
        #expect(lm.requests.isEmpty)
    }

    /// The scripted program and prompt model: an addition is answered right with a demo in the prompt, with the
    /// advice "Add carefully." in the instructions, or for one rollout id in three (by the sum); the rule call
    /// advises the predictor `solve`.
    static func reply(to request: LMRequest) -> String {
        let system = request.messages.first { $0.role == "system" }?.content ?? ""
        if system.contains("`module_advice`") {
            return "[[ ## discussion ## ]]\nThe worse run added wrongly.\n\n[[ ## module_advice ## ]]\n"
                + "{\"solve\": \"Add carefully.\"}\n\n[[ ## completed ## ]]"
        }
        let sum = Self.sum(in: request.messages.last?.content ?? "") ?? 0
        let correct =
            system.contains("Add carefully.") || request.messages.count > 2 || (sum + (request.rolloutID ?? 7)) % 3 == 0
        return "[[ ## answer ## ]]\n\(correct ? sum : sum + 1)\n\n[[ ## completed ## ]]"
    }

    /// The sum the last "What is A + B?" of `text` asks for.
    static func sum(in text: String) -> Int? {
        guard let start = text.range(of: "What is ", options: .backwards) else { return nil }
        let terms = text[start.upperBound...].prefix { $0 != "?" }.split(separator: "+")
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard terms.count == 2, let a = terms[0], let b = terms[1] else { return nil }
        return a + b
    }

    /// The system message DSPy 3.4.1's ChatAdapter writes for `simba_utils.OfferFeedback` (printed by DSPy).
    static let dspySystemMessage = [
        "Your input fields are:",
        "1. `program_code` (str): The code of the program that we are analyzing",
        "2. `modules_defn` (str): The definition of each module in the program, including its I/O",
        "3. `program_inputs` (str): The inputs to the program that we are analyzing",
        "4. `oracle_metadata` (str): Any (hidden) metadata about the training set instance we're an" + "alyzing",
        "5. `worse_program_trajectory` (str): The trajectory of the program's execution, showing ea"
            + "ch module's I/O",
        "6. `worse_program_outputs` (str): The outputs of the program that we are analyzing",
        "7. `worse_reward_value` (float): The reward value assigned to the program's outputs",
        "8. `worse_reward_info` (str): Additional information that might be helpful to understandin"
            + "g the assigned reward value.",
        "9. `better_program_trajectory` (str): The trajectory of the program's execution, showing e"
            + "ach module's I/O",
        "10. `better_program_outputs` (str): The outputs of the program that we are analyzing",
        "11. `better_reward_value` (float): The reward value assigned to the program's outputs",
        "12. `better_reward_info` (str): Additional information that might be helpful to understand"
            + "ing the assigned reward value.",
        "13. `module_names` (list[str]): The names of the modules in the program, for which we seek" + " advice",
        "Your output fields are:",
        "1. `discussion` (str): Discussing blame of where each module went wrong, if it did",
        "2. `module_advice` (dict[str, str]): For each module, describe very concretely: If the mod"
            + "ule receives ${description of input or patterns therein}, then it should ${description of "
            + "content, behavior, or strategies to adopt and/or others to avoid}. Basically, your advice "
            + "be such that if the module has access to your tip, it would be much more likely to act lik"
            + "e the successful trajectory rather than the lower-scoring trajectory.",
        "All interactions will be structured in the following way, with the appropriate values fill" + "ed in.",
        "",
        "[[ ## program_code ## ]]",
        "{program_code}",
        "",
        "[[ ## modules_defn ## ]]",
        "{modules_defn}",
        "",
        "[[ ## program_inputs ## ]]",
        "{program_inputs}",
        "",
        "[[ ## oracle_metadata ## ]]",
        "{oracle_metadata}",
        "",
        "[[ ## worse_program_trajectory ## ]]",
        "{worse_program_trajectory}",
        "",
        "[[ ## worse_program_outputs ## ]]",
        "{worse_program_outputs}",
        "",
        "[[ ## worse_reward_value ## ]]",
        "{worse_reward_value}",
        "",
        "[[ ## worse_reward_info ## ]]",
        "{worse_reward_info}",
        "",
        "[[ ## better_program_trajectory ## ]]",
        "{better_program_trajectory}",
        "",
        "[[ ## better_program_outputs ## ]]",
        "{better_program_outputs}",
        "",
        "[[ ## better_reward_value ## ]]",
        "{better_reward_value}",
        "",
        "[[ ## better_reward_info ## ]]",
        "{better_reward_info}",
        "",
        "[[ ## module_names ## ]]",
        "{module_names}",
        "",
        "[[ ## discussion ## ]]",
        "{discussion}",
        "",
        "[[ ## module_advice ## ]]",
        "{module_advice}        # note: the value you produce must adhere to the JSON schema: {\"typ"
            + "e\": \"object\", \"additionalProperties\": {\"type\": \"string\"}}",
        "",
        "[[ ## completed ## ]]",
        "In adhering to this structure, your objective is: ",
        "        You will be given two trajectories of an LLM-driven program's execution. Your goal"
            + " is to help the program's modules",
        "        build up experience on how to maximize the reward value assigned to the program's "
            + "outputs if it were to receive",
        "        similar inputs in the future.",
        "        ",
        "        The module won't see its own history. It will rely on your advice balancing being "
            + "concrete and being generalizable.",
        "        ",
        "        In your advice:",
        "        - Avoid boilerplate. Offer advice that would change the module's behavior for the "
            + "better in the future.",
        "        - Ensure that advice offered to a module M is specific to that M's specific sub-ta"
            + "sk, not the overall program.",
        "        - Rely on contrasting the behavior of the worse trajectory against the better traj"
            + "ectory in making recommendations.",
        "        - Ensure each unique module name appears exactly once as a key in the advice dicti" + "onary.",
    ].joined(separator: "\n")
}
