import DSPExTesting
import Foundation
import OrderedCollections
import Synchronization
import Testing

@testable import DSPEx

/// GEPA against scripted models: the task model answers "What is A + B?" correctly only when its instruction says
/// "Add the two numbers" (else A + B + 1); the reflection model proposes instructions.
@Suite(.timeLimit(.minutes(3)))
struct GEPATests {
    static let better = "Add the two numbers."

    /// Arithmetic examples `prefix-0 ...`, with answers.
    static func examples(_ prefix: String, _ count: Int, offset: Int = 0) -> [Example] {
        (0..<count).map { index in
            let (first, second) = (index + 1 + offset, 2 * index + 3)
            return Example(
                ["question": .string("What is \(first) + \(second)?"), "answer": .int(first + second)],
                inputKeys: ["question"], id: "\(prefix)-\(index)")
        }
    }

    /// The two numbers of a ChatAdapter request's question.
    static func numbers(_ request: LMRequest) -> [Int] {
        let user = request.messages.last?.content ?? ""
        let question =
            user.components(separatedBy: "[[ ## question ## ]]\n").last?
            .components(separatedBy: "\n").first ?? ""
        return question.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }

    /// A task model that adds correctly only under an instruction containing `marker`.
    static func taskLM(marker: String = better) -> ScriptedLM {
        ScriptedLM { request in
            let sum = numbers(request).reduce(0, +)
            let system = request.messages.first?.content ?? ""
            return "[[ ## answer ## ]]\n\(system.contains(marker) ? sum : sum + 1)\n\n[[ ## completed ## ]]"
        }
    }

    static func seedInstruction(_ program: Graph) -> String {
        program.namedPredictors.first?.state.signature.instructions ?? ""
    }

    static func score(_ program: Graph, on examples: [Example]) async throws -> Double {
        try await Evaluate(metric: .exactMatch()).evaluate(program, on: ExampleList(examples)).score
    }

    static func state(_ context: OptimizationContext) async throws -> GEPAState {
        let value = try #require(try await context.journal.value(for: "gepa/state"))
        return try #require(GEPAState(value))
    }

    // MARK: - The reflection prompt

    @Test("gepa's reflection message is its template with the records as markdown, byte for byte")
    func gepaTemplate() {
        let records: [Value] = [
            [
                "Inputs": ["question": "What is 1 + 2?"], "Generated Outputs": ["answer": "4"],
                "Feedback": "The expected answer is 3; the program answered 4.",
            ],
            [
                "Inputs": ["question": "What is 2 + 2?", "context": ""], "Generated Outputs": ["answer": "4"],
                "Feedback": "ok",
            ],
        ]
        // Made by gepa 0.1.4's InstructionProposalSignature.prompt_renderer.
        let expected =
            "I provided an assistant with the following instructions to perform a task for me:\n```\nGiven the "
            + "fields `question`, produce the fields `answer`.\n```\n\nThe following are examples of different task "
            + "inputs provided to the assistant along with the assistant's response for each of them, and some "
            + "feedback on how the assistant's response could be better:\n```\n# Example 1\n## Inputs\n### question"
            + "\nWhat is 1 + 2?\n\n## Generated Outputs\n### answer\n4\n\n## Feedback\nThe expected answer is 3; the "
            + "program answered 4.\n\n\n\n# Example 2\n## Inputs\n### question\nWhat is 2 + 2?\n\n### context\n\n\n"
            + "## Generated Outputs\n### answer\n4\n\n## Feedback\nok\n\n\n```\n\nYour task is to write a new "
            + "instruction for the assistant.\n\nRead the inputs carefully and identify the input format and infer "
            + "detailed task description about the task I wish to solve with the assistant.\n\nRead all the "
            + "assistant responses and the corresponding feedback. Identify all niche and domain specific factual "
            + "information about the task and include it in the instruction, as a lot of it may not be available to "
            + "the assistant in the future. The assistant may have utilized a generalizable strategy to solve the "
            + "task, if so, include that in the instruction as well.\n\nProvide the new instructions within ``` "
            + "blocks."
        let message = GEPA.reflectionMessage(
            instruction: "Given the fields `question`, produce the fields `answer`.", records: records)
        #expect(message == expected)
    }

    @Test("DSPy's proposer prompt is ProposeInstruction through the JSON adapter, byte for byte")
    func dspyProposerPrompt() {
        let records: [Value] = [
            [
                "Inputs": ["question": "What is 1 + 2?"], "Generated Outputs": ["answer": 4],
                "Feedback": "The expected answer is 3; the program answered 4.",
            ]
        ]
        let messages = JSONAdapter().format(
            GEPA.proposeInstructionSignature, demos: [],
            inputs: [
                "current_instruction": "Given the fields `question`, produce the fields `answer`.",
                "examples_with_feedback": .array(records),
            ])
        // Made by DSPy 3.4.1's JSONAdapter().format(ProposeInstruction, [], ...).
        let indent = "\n        "
        let system =
            "Your input fields are:\n1. `current_instruction` (str): The instructions I provided to the assistant.\n"
            + "2. `examples_with_feedback` (list[dict[str, Any]]): Task inputs provided to the assistant, the "
            + "assistant's response for each, and feedback on how the response could be better.\nYour output fields "
            + "are:\n1. `new_instruction` (str): The new instruction for the assistant.\nAll interactions will be "
            + "structured in the following way, with the appropriate values filled in.\n\nInputs will have the "
            + "following structure:\n\n[[ ## current_instruction ## ]]\n{current_instruction}\n\n[[ ## "
            + "examples_with_feedback ## ]]\n{examples_with_feedback}\n\nOutputs will be a JSON object with the "
            + "following fields.\n\n{\n  \"new_instruction\": \"{new_instruction}\"\n}\nIn adhering to this "
            + "structure, your objective is: " + indent + "I provided an assistant with instructions to perform a "
            + "task for me. You are given those instructions, along with examples of different task inputs provided "
            + "to the assistant, the assistant's response for each of them, and some feedback on how the assistant's "
            + "response could be better." + indent + indent + "Your task is to write a new instruction for the "
            + "assistant." + indent + indent + "Read the inputs carefully and identify the input format and infer "
            + "detailed task description about the task I wish to solve with the assistant." + indent + indent
            + "Read all the assistant responses and the corresponding feedback. Identify all niche and domain "
            + "specific factual information about the task and include it in the instruction, as a lot of it may "
            + "not be available to the assistant in the future. The assistant may have utilized a generalizable "
            + "strategy to solve the task, if so, include that in the instruction as well."
        let user =
            "[[ ## current_instruction ## ]]\nGiven the fields `question`, produce the fields `answer`.\n\n[[ ## "
            + "examples_with_feedback ## ]]\n[{\"Inputs\": {\"question\": \"What is 1 + 2?\"}, \"Generated Outputs\": "
            + "{\"answer\": 4}, \"Feedback\": \"The expected answer is 3; the program answered 4.\"}]\n\nRespond with "
            + "a JSON object in the following order of fields: `new_instruction`."
        #expect(messages.map(\.role) == ["system", "user"])
        #expect(messages.first?.content == system)
        #expect(messages.last?.content == user)
    }

    @Test("the new instruction is taken from the reply's ``` block as gepa's output_extractor does")
    func extraction() {
        // Expected values from gepa 0.1.4's InstructionProposalSignature.output_extractor.
        #expect(GEPA.extractInstruction(from: "pre ```python\nAdd them.\n``` post") == "Add them.")
        #expect(GEPA.extractInstruction(from: "```\nonly open") == "only open")
        #expect(GEPA.extractInstruction(from: "no fences  ") == "no fences")
        #expect(GEPA.extractInstruction(from: "x ```") == "x")
        #expect(GEPA.extractInstruction(from: "```md\nA\n```\nB\n```") == "A\n```\nB")
        #expect(GEPA.extractInstruction(from: "Sure.\n```\n  Add the two numbers.\n```") == "Add the two numbers.")
    }

    @Test("the gepa prompt sent in a run carries the minibatch's records with the metric's feedback")
    func reflectionRequestInRun() async throws {
        let reflection = ScriptedLM(replies: ["Here you go:\n```\n\(Self.better)\n```"])
        let program = try OptimizerTests.program(Self.taskLM())
        let context = OptimizationContext()
        let trainset = Self.examples("train", 3)
        _ = try await GEPA(
            metric: .exactMatch(), reflectionLM: reflection, maxMetricCalls: 4, reflectionPrompt: .gepa,
            useMerge: false
        ).compile(program, trainset: trainset, valset: Self.examples("val", 3, offset: 10), context: context)
        let request = try #require(reflection.requests.first)
        #expect(reflection.requests.count == 1)
        #expect(request.messages.map(\.role) == ["user"])
        let iteration = try await #require(try context.journal.value(for: "gepa/iteration/0001"))
        let positions = (iteration["minibatch"]?.arrayValue ?? []).compactMap { $0.intValue }
        #expect(positions.sorted() == [0, 1, 2])
        let shown = positions.enumerated().map { number, position -> String in
            let example = trainset[position]
            let sum = example["answer"]?.intValue ?? 0
            return "# Example \(number + 1)\n## Inputs\n### question\n\(example["question"]?.stringValue ?? "")\n\n"
                + "## Generated Outputs\n### answer\n\(sum + 1)\n\n## Feedback\nThe expected answer is \(sum); the "
                + "program answered \(sum + 1).\n\n"
        }.joined(separator: "\n\n")
        let expected = GEPA.reflectionTemplate.replacingOccurrences(
            of: "<curr_param>", with: Self.seedInstruction(program)
        ).replacingOccurrences(of: "<side_info>", with: shown)
        #expect(request.messages.first?.content == expected)
        #expect(iteration["instruction"]?.stringValue == Self.better)
    }

    // MARK: - Acceptance

    @Test("a child that does not improve on the minibatch is rejected and the pool is unchanged")
    func rejectsNonImproving() async throws {
        let reflection = ScriptedLM(replies: ["```\nThink hard.\n```"])
        let program = try OptimizerTests.program(Self.taskLM())
        let context = OptimizationContext()
        let optimized = try await GEPA(
            metric: .exactMatch(), reflectionLM: reflection, maxMetricCalls: 4, reflectionPrompt: .gepa,
            useMerge: false
        ).compile(program, trainset: Self.examples("train", 3), valset: Self.examples("val", 3), context: context)
        let state = try await Self.state(context)
        #expect(state.candidates.count == 1)
        #expect(state.metricCalls == 3 + 3 + 3)
        let iteration = try await #require(try context.journal.value(for: "gepa/iteration/0001"))
        #expect(iteration["outcome"] == "rejected")
        #expect(iteration["instruction"] == "Think hard.")
        #expect(Self.seedInstruction(optimized) == Self.seedInstruction(program))
    }

    @Test("an improving child is evaluated on the whole validation set and kept with its parent")
    func keepsImproving() async throws {
        let reflection = ScriptedLM(replies: ["```\n\(Self.better)\n```"])
        let program = try OptimizerTests.program(Self.taskLM())
        let context = OptimizationContext()
        let valset = Self.examples("val", 5, offset: 10)
        let optimized = try await GEPA(
            metric: .exactMatch(), reflectionLM: reflection, maxMetricCalls: 6, reflectionPrompt: .gepa,
            useMerge: false
        ).compile(program, trainset: Self.examples("train", 3), valset: valset, context: context)
        let state = try await Self.state(context)
        #expect(state.candidates.count == 2)
        #expect(state.parents == [[], [0]])
        #expect(state.validationScores == [[0, 0, 0, 0, 0], [1, 1, 1, 1, 1]])
        #expect(state.candidates[1] == [Self.better])
        #expect(state.front == Array(repeating: [1], count: 5))
        #expect(state.discoveredAt == [0, 5 + 3 + 3])
        #expect(state.metricCalls == 5 + 3 + 3 + 5)
        #expect(state.bestIndex == 1)
        #expect(Self.seedInstruction(optimized) == Self.better)
        let result = try await #require(try context.journal.value(for: "result"))
        #expect(result["candidate"] == 1)
        #expect(result["score"]?.doubleValue == 1)
    }

    @Test("GEPA with DSPy's proposer raises the dev score when the reflection proposes a better instruction")
    func raisesDevScore() async throws {
        let reflection = ScriptedLM(replies: [#"{"new_instruction": "Add the two numbers. Answer with the sum."}"#])
        let program = try OptimizerTests.program(Self.taskLM())
        let devset = Self.examples("dev", 10, offset: 40)
        let before = try await Self.score(program, on: devset)
        let optimized = try await GEPA(metric: .exactMatch(), reflectionLM: reflection, maxFullEvals: 2)
            .compile(program, trainset: Self.examples("train", 6), valset: Self.examples("val", 6, offset: 20))
        let after = try await Self.score(optimized, on: devset)
        #expect(before == 0)
        #expect(after == 1)
        // The reflection went through DSPy's ProposeInstruction signature, with the records as JSON.
        let prompt = try #require(reflection.requests.first?.messages.last?.content)
        #expect(prompt.contains("[[ ## examples_with_feedback ## ]]\n[{\"Inputs\": {\"question\": \"What is "))
        #expect(prompt.contains("\"Feedback\": \"The expected answer is "))
    }

    @Test("on the simulator's arithmetic task GEPA learns from exact match's feedback; a score-only metric cannot")
    func learnsFromFeedback() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 60)
        let devset = try await OptimizerTests.load("arithmetic_dev.jsonl", limit: 100)
        try await withSimulatedLM { lm, _ in
            let program = try OptimizerTests.program(lm)
            let before = try await Self.score(program, on: devset)
            func compile(_ metric: FeedbackMetric) async throws -> (score: Double, instruction: String) {
                let optimized = try await GEPA(metric: metric, reflectionLM: lm, maxMetricCalls: 600, seed: 1)
                    .compile(program, trainset: trainset)
                return (try await Self.score(optimized, on: devset), Self.seedInstruction(optimized))
            }
            let informed = try await compile(.exactMatch())
            let scoreOnly = try await compile(FeedbackMetric(Metric.exactMatch()))
            #expect(before < 0.65, "before: \(before)")
            // The feedback names the expected sums; the reflection writes them into the instruction as worked
            // examples, which the simulator counts like demos. A score alone teaches advice only (at most 10 points).
            #expect(informed.score >= 0.8, "after: \(informed.score), \(informed.instruction)")
            #expect(informed.instruction.contains("For example, "))
            #expect(!scoreOnly.instruction.contains("For example, "), "\(scoreOnly.instruction)")
            #expect(scoreOnly.score < informed.score)
        }
    }

    @Test("the feedback metric is called with the predictor's name and its trace entry")
    func feedbackArguments() async throws {
        let calls = Mutex<[(String?, Int, Int)]>([])
        let metric = FeedbackMetric("recorded", isLocal: true) { example, prediction, trace, name, predictorTrace in
            calls.withLock { $0.append((name, trace?.count ?? -1, predictorTrace?.count ?? -1)) }
            if let entry = predictorTrace?.first {
                #expect(entry.predictor == "solve" && entry.inputs["question"] == example["question"])
                #expect(entry.outputs["answer"] == prediction["answer"])
            }
            return ScoreWithFeedback(score: prediction["answer"] == example["answer"] ? 1 : 0)
        }
        let program = try OptimizerTests.program(Self.taskLM())
        _ = try await GEPA(
            metric: metric, reflectionLM: ScriptedLM(replies: ["```\nx\n```"]), maxMetricCalls: 4,
            reflectionPrompt: .gepa, useMerge: false
        ).compile(program, trainset: Self.examples("train", 3), valset: Self.examples("val", 3))
        let named = calls.withLock { $0 }.filter { $0.0 != nil }
        #expect(named.count == 3)
        #expect(named.allSatisfy { $0.0 == "solve" && $0.1 == 1 && $0.2 == 1 })
    }

    // MARK: - Selection and budget

    @Test("Pareto selection draws only non-dominated front candidates, weighted by their fronts, with the seed")
    func paretoSelection() {
        // Candidate 0 is best on example 0 only together with 1, so it is dominated; 1 leads two fronts, 2 one.
        let front: [[Int]] = [[0, 1], [1], [2], [1, 2]]
        let scores = [0.25, 0.75, 0.5]
        #expect(GEPA.withoutDominated(front, scores: scores) == [[1], [1], [2], [1, 2]])
        #expect(GEPA.dominators(front, scores: scores) == [1, 2])
        func draws(seed: UInt64) -> [Int] {
            var random = SeededGenerator(seed: seed)
            return (0..<300).map { _ in GEPA.selectFromParetoFront(front, scores: scores, using: &random) }
        }
        let picks = draws(seed: 3)
        #expect(Set(picks) == [1, 2])
        #expect(picks == draws(seed: 3))
        #expect(picks != draws(seed: 4))
        // 1 is listed three times, 2 twice.
        let ones = picks.count { $0 == 1 }
        #expect(ones > 140 && ones < 220, "\(ones)")
        var state = GEPAState(predictorNames: ["p"], seed: ["a"], scores: [1, 0], budget: 10)
        state.add(["b"], parents: [0], scores: [0, 1], discoveredAt: 2)
        state.add(["c"], parents: [0], scores: [0.5, 0.5], discoveredAt: 4)
        var random = SeededGenerator(seed: 0)
        #expect(GEPA.selectCandidate(.currentBest, state: state, using: &random) == 0)
        #expect(state.front == [[0], [1]])
        for _ in 0..<50 { #expect(GEPA.selectCandidate(.pareto, state: state, using: &random) != 2) }
    }

    @Test("the epoch-shuffled sampler covers the training set each epoch, padding with the least frequent ids")
    func batchSampler() {
        var sampler = GEPA.BatchSampler(minibatchSize: 3)
        var random = SeededGenerator(seed: 1)
        let epoch = (0..<3).map { sampler.next(trainCount: 7, iteration: $0, using: &random) }
        #expect(epoch.allSatisfy { $0.count == 3 })
        let ids = epoch.flatMap { $0 }
        #expect(Set(ids) == Set(0..<7))
        // 7 ids padded to 9 with the last two of the shuffle.
        #expect(Array(ids.suffix(2)) == [ids[6], ids[5]])
        let next = sampler.next(trainCount: 7, iteration: 3, using: &random)
        #expect(Set(sampler.shuffled.prefix(7)) == Set(0..<7) && next == Array(sampler.shuffled.prefix(3)))
    }

    @Test("auto budgets follow DSPy's auto_budget with the predictor count and the validation size")
    func autoBudget() async throws {
        // light, 1 predictor, 100 validation examples: N = ⌊max(2·2·log2 6, 9)⌋ = 10 trials;
        // 100 + 6·5 + 10·35 = 480, plus ((10 + 1) / 5 + 1 + 0) · 100 = 300 → 780.
        #expect(GEPA.autoBudget(predictors: 1, candidates: 6, validationCount: 100) == 780)
        // 2 predictors, 8 examples: N = ⌊2·4·2.585⌋ = 20; 8 + 30 + 700 = 738,
        // plus (21 / 5 + 1) · 8 = 40 → 778.
        #expect(GEPA.autoBudget(predictors: 2, candidates: 6, validationCount: 8) == 778)
        #expect(GEPA.autoBudget(predictors: 3, candidates: 12, validationCount: 50) == 2065)
        #expect(GEPA.autoBudget(predictors: 1, candidates: 18, validationCount: 300) == 3135)
        #expect(
            GEPA.autoBudget(predictors: 1, candidates: 6, validationCount: 8, fullEvalSteps: 20) == 8 + 30 + 350 + 16)
        let lm = ScriptedLM(replies: [])
        let light = GEPA(metric: .exactMatch(), reflectionLM: lm, auto: .light)
        #expect(try light.metricCallBudget(predictors: 1, trainCount: 10, validationCount: nil) == 420)
        #expect(try light.metricCallBudget(predictors: 0, trainCount: 10, validationCount: 100) == 780)
        #expect(
            try GEPA(metric: .exactMatch(), reflectionLM: lm, auto: .medium)
                .metricCallBudget(predictors: 3, trainCount: 10, validationCount: 50) == 2065)
        let fullEvals = GEPA(metric: .exactMatch(), reflectionLM: lm, maxFullEvals: 2)
        #expect(try fullEvals.metricCallBudget(predictors: 1, trainCount: 10, validationCount: 5) == 30)
        #expect(try fullEvals.metricCallBudget(predictors: 1, trainCount: 10, validationCount: nil) == 20)
        #expect(throws: OptimizeError.self) {
            try GEPA(metric: .exactMatch(), reflectionLM: lm, auto: .light, maxMetricCalls: 5)
                .metricCallBudget(predictors: 1, trainCount: 1, validationCount: nil)
        }
        #expect(throws: OptimizeError.self) {
            try GEPA(metric: .exactMatch(), reflectionLM: lm).metricCallBudget(
                predictors: 1, trainCount: 1, validationCount: nil)
        }
    }

    @Test("metric calls count every example scored; no iteration starts once the budget is spent")
    func budgetIsRespected() async throws {
        // Half the proposals help; the other half do not.
        let reflection = ScriptedLM(replies: ["```\nThink.\n```", "```\n\(Self.better)\n```", "```\nThink.\n```"])
        let program = try OptimizerTests.program(Self.taskLM())
        let context = OptimizationContext()
        let budget = 40
        _ = try await GEPA(
            metric: .exactMatch(), reflectionLM: reflection, maxMetricCalls: budget, reflectionPrompt: .gepa,
            useMerge: false
        ).compile(program, trainset: Self.examples("train", 7), valset: Self.examples("val", 4), context: context)
        let state = try await Self.state(context)
        var calls = 4
        var outcomes: Set<String> = []
        for number in 1...(state.iteration + 1) {
            let iteration = try await #require(
                try context.journal.value(for: "gepa/iteration/\(String(format: "%04d", number))"))
            #expect(calls < budget, "iteration \(number) started with \(calls) of \(budget) spent")
            outcomes.insert(iteration["outcome"]?.stringValue ?? "")
            calls += 3
            if iteration["scores_after"] != nil { calls += 3 }
            if iteration["outcome"] == "accepted" { calls += 4 }
            #expect(iteration["metric_calls"]?.intValue == calls)
        }
        #expect(outcomes == ["rejected", "accepted", "skipped_perfect"])
        #expect(state.metricCalls == calls && calls >= budget)
        #expect(context.progress.metricCalls == calls && context.progress.metricCallBudget == budget)
    }

    // MARK: - Two predictors: round robin and merge

    /// Two independent predictors, `first` and `second`, each answering the question.
    static func twoPredictors(_ lm: any LanguageModel) throws -> Graph {
        try Graph(
            stages: [
                Stage(
                    "first", try Predict("question -> first: int", lm: lm),
                    inputs: ["question": .input(field: "question")]),
                Stage(
                    "second", try Predict("question -> second: int", lm: lm),
                    inputs: ["question": .input(field: "question")]),
            ],
            outputs: [
                "first": try #require(SourceReference("first.first")),
                "second": try #require(SourceReference("second.second")),
            ])
    }

    /// A task model for ``twoPredictors(_:)``: correct under "Add the two numbers.", else one too many.
    static func twoFieldLM() -> ScriptedLM {
        ScriptedLM { request in
            let system = request.messages.first?.content ?? ""
            let field = system.contains("1. `first`") ? "first" : "second"
            let sum = numbers(request).reduce(0, +)
            return "[[ ## \(field) ## ]]\n\(system.contains(better) ? sum : sum + 1)\n\n[[ ## completed ## ]]"
        }
    }

    /// Half a point per correct field; or, with `exclusive`, a point when exactly one field is correct.
    static func twoFieldMetric(exclusive: Bool = false) -> FeedbackMetric {
        FeedbackMetric("two_fields", isLocal: true) { example, prediction, _, _, _ in
            let first = prediction["first"] == example["answer"]
            let second = prediction["second"] == example["answer"]
            let score = exclusive ? (first != second ? 1.0 : 0.0) : (first ? 0.5 : 0) + (second ? 0.5 : 0)
            return ScoreWithFeedback(score: score)
        }
    }

    @Test("predictors are mutated round robin, a child continuing from its parent's position; runs repeat exactly")
    func roundRobin() async throws {
        func run() async throws -> (OptimizationContext, Graph) {
            let context = OptimizationContext()
            let program = try Self.twoPredictors(Self.twoFieldLM())
            let optimized = try await GEPA(
                metric: Self.twoFieldMetric(), reflectionLM: ScriptedLM(replies: ["```\n\(Self.better)\n```"]),
                maxMetricCalls: 30, reflectionPrompt: .gepa, seed: 2
            ).compile(program, trainset: Self.examples("train", 4), valset: Self.examples("val", 5), context: context)
            return (context, optimized)
        }
        let (context, optimized) = try await run()
        let first = try await #require(try context.journal.value(for: "gepa/iteration/0001"))
        let second = try await #require(try context.journal.value(for: "gepa/iteration/0002"))
        #expect(first["predictor"] == "first" && first["outcome"] == "accepted")
        // A merge was due, but only one candidate is on the front: the iteration mutates instead.
        #expect(second["merge"] == "no_merge" && second["kind"] == "reflective")
        #expect(second["parents"] == [1] && second["predictor"] == "second" && second["outcome"] == "accepted")
        let state = try await Self.state(context)
        let seed = try Self.twoPredictors(ScriptedLM(replies: [])).namedPredictors.map(\.state.signature.instructions)
        #expect(state.candidates == [seed, [Self.better, seed[1]], [Self.better, Self.better]])
        #expect(state.parents == [[], [0], [1]])
        #expect(optimized.namedPredictors.map(\.state.signature.instructions) == [Self.better, Self.better])
        let (again, _) = try await run()
        await #expect(try again.journal.value(for: "gepa/state") == (try context.journal.value(for: "gepa/state")))
    }

    /// An engine over ``twoPredictors(_:)`` whose pool holds the seed and two children, each of which changed one
    /// predictor: the first is best on validation examples 0–2, the second on 3–5.
    static func siblings(metric: FeedbackMetric, lm: ScriptedLM) throws -> GEPA.Engine {
        let program = try twoPredictors(lm)
        let optimizer = GEPA(metric: metric, reflectionLM: ScriptedLM(replies: []), maxMetricCalls: 100)
        var engine = GEPA.Engine(
            options: optimizer, program: program, trainset: examples("train", 3), valset: examples("val", 6),
            budget: 100, context: OptimizationContext())
        let seed = program.namedPredictors.map(\.state.signature.instructions)
        var state = GEPAState(
            predictorNames: ["first", "second"], seed: seed, scores: Array(repeating: 0, count: 6), budget: 100)
        state.add([better, seed[1]], parents: [0], scores: [1, 1, 1, 0, 0, 0], discoveredAt: 6)
        state.add([seed[0], better], parents: [0], scores: [0, 0, 0, 1, 1, 1], discoveredAt: 12)
        state.iteration = 2
        engine.state = state
        engine.merges.due = 1
        engine.merges.lastIterationFoundNewProgram = true
        return engine
    }

    @Test("a merge takes each predictor from the sibling that changed it and is kept when not worse on its subsample")
    func mergeAccepted() async throws {
        let lm = Self.twoFieldLM()
        var engine = try Self.siblings(metric: Self.twoFieldMetric(), lm: lm)
        #expect(GEPA.dominators(engine.state.front, scores: engine.state.meanScores) == [1, 2])
        var record: OrderedDictionary<String, Value> = [:]
        #expect(try await engine.mergeStep(into: &record))
        #expect(record["kind"] == "merge" && record["outcome"] == "accepted")
        #expect(record["parents"] == [1, 2] && record["ancestor"] == 0)
        let subsample = (record["minibatch"]?.arrayValue ?? []).compactMap { $0.intValue }
        // Two where the first parent is better, two where the second is, one more.
        #expect(subsample.count == 5 && Set(subsample).count == 5)
        #expect(subsample.prefix(2).allSatisfy { $0 < 3 } && subsample.dropFirst(2).prefix(2).allSatisfy { $0 >= 3 })
        // Each parent scores 1 where it is better: 2 + 3 or 3 + 2 over the subsample.
        let before = (record["scores_before"]?.arrayValue ?? []).compactMap { $0.doubleValue }
        #expect(before.sorted() == [2, 3])
        #expect(engine.state.candidates.count == 4)
        #expect(engine.state.candidates[3] == [Self.better, Self.better])
        #expect(engine.state.parents[3] == [1, 2])
        #expect(engine.state.validationScores[3] == Array(repeating: 1, count: 6))
        #expect(engine.state.metricCalls == 6 + 5 + 6)
        #expect(engine.merges.due == 0 && engine.merges.tested == 1)
        // The merged program answers every validation example once: the subsample's results are reused.
        #expect(lm.requests.count == 2 * 6)
    }

    @Test("a merge worse than its better parent on the subsample is rejected and never tried again")
    func mergeRejected() async throws {
        var engine = try Self.siblings(metric: Self.twoFieldMetric(exclusive: true), lm: Self.twoFieldLM())
        var record: OrderedDictionary<String, Value> = [:]
        #expect(try await engine.mergeStep(into: &record))
        #expect(record["outcome"] == "rejected")
        #expect(engine.state.candidates.count == 3)
        #expect(engine.state.metricCalls == 6 + 5)
        #expect(engine.merges.due == 1 && engine.merges.tested == 0)
        var again: OrderedDictionary<String, Value> = [:]
        #expect(try await engine.mergeStep(into: &again) == false)
        #expect(again["merge"] == "no_merge")
    }

    // MARK: - Durability

    @Test("a run stopped by its reflection model resumes without re-asking anything and ends with the same program")
    func resume() async throws {
        let trainset = Self.examples("train", 6)
        let valset = Self.examples("val", 4, offset: 10)
        let replies = ["```\nThink.\n```", "```\nBe careful.\n```", "```\n\(Self.better)\n```"]
        /// Answers the proposals in order from `offset`; the call numbered `failure` stops the run.
        func reflectionLM(offset: Int = 0, failingAt failure: Int? = nil) -> ScriptedLM {
            let count = Mutex(0)
            return ScriptedLM { _ in
                let index = count.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                if index == failure { throw LMError(code: .budgetExhausted, message: "spent") }
                return replies[min(index + offset, replies.count - 1)]
            }
        }
        let optimizer = { (reflection: ScriptedLM) in
            GEPA(
                metric: .exactMatch(), reflectionLM: reflection, maxMetricCalls: 60, reflectionPrompt: .gepa,
                useMerge: false, seed: 5)
        }
        let referenceTask = Self.taskLM()
        let referenceReflection = reflectionLM()
        let referenceContext = OptimizationContext()
        let reference = try await optimizer(referenceReflection).compile(
            try OptimizerTests.program(referenceTask), trainset: trainset, valset: valset, context: referenceContext)
        #expect(referenceReflection.requests.count >= 3)

        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let run = Evaluate.Run(
            name: "gepa", pipeline: "arithmetic.yaml", programHash: "p", datasetHash: "d", config: [:], resume: false)
        let task = Self.taskLM()
        let failing = reflectionLM(failingAt: 1)
        let job = try await OptimizationJob.open(
            optimizer(failing), program: try OptimizerTests.program(task), trainset: trainset, valset: valset,
            store: store, run: run)
        await #expect(throws: LMError.self) { _ = try await job.run() }
        #expect(try store.run(named: "gepa")?.status == RunRecord.Status.stopped)
        #expect(failing.requests.count == 2)
        let askedBefore = task.requests.count

        var resume = run
        resume.resume = true
        let resumedTask = Self.taskLM()
        // The stopped run got the first proposal; the resumed one is asked from the second on.
        let resumedReflection = reflectionLM(offset: 1)
        let resumedJob = try await OptimizationJob.open(
            optimizer(resumedReflection), program: try OptimizerTests.program(resumedTask), trainset: trainset,
            valset: valset, store: store, run: resume)
        let final = try await resumedJob.run()
        #expect(final.savedState() == reference.savedState())
        // Nothing recorded is asked again: the examples and the one answered reflection are read back.
        #expect(askedBefore + resumedTask.requests.count == referenceTask.requests.count)
        #expect(1 + resumedReflection.requests.count == referenceReflection.requests.count)
        #expect(try store.run(named: "gepa")?.status == RunRecord.Status.completed)
        let runID = try #require(try store.run(named: "gepa")?.id)
        let recorded = try await CompileJournal(store: store, runID: runID).value(for: "gepa/state")
        #expect(recorded != nil)
        await #expect(recorded == (try referenceContext.journal.value(for: "gepa/state")))

        // Replaying the completed journal asks nothing and returns the same program.
        let replayTask = Self.taskLM()
        let replayReflection = reflectionLM()
        let replayed = try await optimizer(replayReflection).compile(
            try OptimizerTests.program(replayTask), trainset: trainset, valset: valset,
            context: OptimizationContext(journal: CompileJournal(store: store, runID: runID)))
        #expect(replayed.savedState() == reference.savedState())
        #expect(replayTask.requests.isEmpty && replayReflection.requests.isEmpty)
    }
}
