import DSPExTesting
import Foundation
import OrderedCollections
import Testing

@testable import DSPEx

/// One invalid stage and the located error it must produce: the column is where `at` starts on `line`.
struct ModuleKindErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var module: String
    var extra: String
    var code: PipelineFileError.Code
    var line: Int
    var at: String
    var phrase: String
    var suggestion: String?

    var testDescription: String { name }
}

/// The module kinds that wrap or sample another module in pipeline files — `best_of_n`, `refine`,
/// `multi_chain_comparison`, `knn_few_shot` — each good form built into its module, each bad form a located error,
/// and the bundled pipelines run against the simulator.
@Suite(.timeLimit(.minutes(3)))
struct ModuleKindPipelineTests {
    static let root = Fixtures.repositoryRoot
    static let trainPath = root.appendingPathComponent("data/arithmetic_train.jsonl").path

    /// A one-stage file; `extra` starts at line 7, its keys indented by four spaces.
    static func stage(_ module: String, _ extra: String, signature: String = "question -> answer: int") -> String {
        """
        name: t
        stages:
          - id: solve
            module: \(module)
            signature: "\(signature)"
            inputs: {question: input.question}
        \(extra)
        """
    }

    static let sampling = """
            n: 3
            threshold: 1.0
            reward: {kind: one_word, field: answer}

        """

    static var knn: String {
        """
            k: 3
            trainset: \(trainPath)
            embedder: {model: emb}

        """
    }

    static func parse(_ yaml: String, file: String = "t.yaml") throws(PipelineFileError) -> PipelineSpec {
        try PipelineFile.parse(yaml, file: file, environment: [:])
    }

    static func error(_ yaml: String) -> PipelineFileError? {
        do {
            let spec = try parse(yaml)
            _ = try spec.makeGraph(lm: nil)
            Issue.record("expected an error, got a spec with stages \(spec.stages.map(\.id))")
            return nil
        } catch {
            return error
        }
    }

    static let location = SourceLocation(file: "t.yaml", line: 1, column: 1)

    // MARK: best_of_n and refine

    @Test(
        "best_of_n and refine build their module around the inner one, named as the inner stage would be",
        arguments: [
            ("best_of_n", "predict", ["solve"], ["answer"]),
            ("best_of_n", "chain_of_thought", ["solve"], ["reasoning", "answer"]),
            ("refine", "react", ["solve.react", "solve.extract.predict"], ["trajectory", "reasoning", "answer"]),
            ("refine", "predict", ["solve"], ["answer"]),
        ])
    func samplingStages(module: String, inner: String, predictors: [String], outputs: [String]) throws {
        let tools = inner == "react" ? "    tools: [calculator]\n    max_iters: 4\n" : ""
        let yaml = Self.stage(module, "    inner: \(inner)\n    fail_count: 1\n" + tools + Self.sampling)
        let spec = try Self.parse(yaml)
        let stage = spec.stages[0]
        #expect(stage.module.rawValue == module)
        #expect(stage.inner?.rawValue == inner)
        #expect(stage.sampling?.n == 3)
        #expect(stage.sampling?.threshold == 1.0)
        #expect(stage.sampling?.failCount == 1)
        #expect(stage.sampling?.reward.kind == .oneWord)
        #expect(stage.outputs.map(\.name) == outputs)
        #expect(spec.outputs.map(\.name) == outputs)
        let graph = try spec.makeGraph(lm: nil)
        #expect(graph.namedPredictors.map(\.name) == predictors)
        #expect(graph.stages[0].signature.outputNames == outputs)
        let built = graph.stages[0].module
        if module == "refine" {
            let refine = try #require(built as? Refine)
            #expect(refine.n == 3 && refine.threshold == 1.0 && refine.failCount == 1)
            #expect(refine.rewardDescription == "1.0 when the output `answer` is a single word, else 0.0")
            if inner == "react" {
                #expect((refine.module as? ReAct)?.maxIters == 4)
                #expect((refine.module as? ReAct)?.tools.map(\.name) == ["calculator"])
            }
        } else {
            let bestOfN = try #require(built as? BestOfN)
            #expect(bestOfN.n == 3 && bestOfN.failCount == 1)
            #expect(inner == "chain_of_thought" ? bestOfN.module is ChainOfThought<DynamicSignature> : true)
        }
    }

    @Test("refine shows its reward_description to the feedback call, or the reward in words by default")
    func rewardDescription() throws {
        let given = try Self.parse(
            Self.stage("refine", Self.sampling + "    reward_description: \"1.0 for one word\"\n"))
        #expect(given.stages[0].sampling?.effectiveRewardDescription == "1.0 for one word")
        #expect((try given.makeGraph(lm: nil).stages[0].module as? Refine)?.rewardDescription == "1.0 for one word")
        let summaries = [
            RewardSpec(kind: .fieldMatches, field: "answer", pattern: "^[0-9]+$", location: Self.location),
            RewardSpec(kind: .maxLength, field: "answer", chars: 40, location: Self.location),
            RewardSpec(kind: .judge, field: "answer", instructions: "Is it short?", location: Self.location),
        ].map(\.summary)
        #expect(
            summaries == [
                "1.0 when the output `answer` matches the regular expression `^[0-9]+$`, else 0.0",
                "1.0 when the output `answer` has at most 40 characters, else 0.0",
                "a score from 0.0 to 1.0 that a language model gives the output `answer` for these instructions: "
                    + "Is it short?",
            ])
    }

    @Test("a reward given by kind alone scores the signature's last output")
    func scalarReward() throws {
        let yaml = Self.stage(
            "best_of_n", "    n: 2\n    threshold: 1\n    reward: one_word\n",
            signature: "question -> note, answer")
        let reward = try #require(try Self.parse(yaml).stages[0].sampling?.reward)
        #expect(reward.kind == .oneWord && reward.field == "answer")
    }

    @Test(
        "the built-in rewards score 1.0 or 0.0 from the prediction alone; a missing field scores 0",
        arguments: [
            ("{kind: field_matches, field: answer, pattern: \"^[0-9]+$\"}", "548", 1.0),
            ("{kind: field_matches, field: answer, pattern: \"^[0-9]+$\"}", "548 apples", 0.0),
            ("{kind: field_matches, field: answer, pattern: \"[0-9]\"}", "about 5", 1.0),
            ("{kind: one_word, field: answer}", "  Brussels\n", 1.0),
            ("{kind: one_word, field: answer}", "New York", 0.0),
            ("{kind: one_word, field: answer}", "", 0.0),
            ("{kind: max_length, field: answer, chars: 5}", "12345", 1.0),
            ("{kind: max_length, field: answer, chars: 5}", "123456", 0.0),
            ("{kind: max_length, field: reasoning, chars: 5}", nil, 0.0),
        ] as [(String, String?, Double)])
    func builtinRewards(declaration: String, answer: String?, expected: Double) async throws {
        let yaml = Self.stage(
            "best_of_n", "    inner: chain_of_thought\n    n: 2\n    threshold: 1\n    reward: \(declaration)\n",
            signature: "question -> answer")
        let stage = try Self.parse(yaml).stages[0]
        let spec = try #require(stage.sampling?.reward)
        let reward = spec.makeReward(for: stage, lm: nil, adapter: nil, options: LMOptions())
        var outputs: OrderedDictionary<String, Value> = [:]
        if let answer { outputs["answer"] = .string(answer) }
        #expect(try await reward(["question": "q"], Prediction(outputs)) == expected)
    }

    @Test("a judge reward asks the model for a score of the inputs and the field, clamped, outside traces and rollouts")
    func judgeReward() async throws {
        let lm = ScriptedLM(replies: [
            "[[ ## score ## ]]\n0.8\n\n[[ ## completed ## ]]", "[[ ## score ## ]]\n1.7\n\n[[ ## completed ## ]]",
        ])
        let yaml = Self.stage(
            "best_of_n",
            "    n: 2\n    threshold: 0.9\n"
                + "    reward: {kind: judge, field: answer, instructions: \"Is it a number?\"}\n"
        )
        let stage = try Self.parse(yaml).stages[0]
        let reward = try #require(stage.sampling?.reward).makeReward(
            for: stage, lm: lm, adapter: nil, options: LMOptions())
        let (scores, trace) = try await withTrace {
            try await LMContext.$rolloutID.withValue(2) {
                [
                    try await reward(["question": "What is 2 + 3?"], Prediction(["answer": 5])),
                    try await reward(["question": "What is 2 + 3?"], Prediction(["answer": 6])),
                    try await reward(["question": "What is 2 + 3?"], Prediction([:])),
                ]
            }
        }
        #expect(scores == [0.8, 1.0, 0.0])
        #expect(trace.isEmpty)
        #expect(lm.requests.count == 2)
        let request = try #require(lm.requests.first)
        #expect(request.rolloutID == nil)
        let text = request.messages.map(\.content).joined(separator: "\n")
        #expect(text.contains("Is it a number?"))
        #expect(text.contains("[[ ## question ## ]]\nWhat is 2 + 3?"))
        #expect(text.contains("[[ ## answer ## ]]\n5"))
        #expect(text.contains("`score` (float)"))
    }

    @Test("a best_of_n stage whose reward is never met makes n attempts; refine adds feedback between them")
    func attemptsAgainstSimulator() async throws {
        let data = Self.root.appendingPathComponent("data/arithmetic_dev.jsonl")
        let dataset = Dataset(
            url: data, configuration: .init(inputKeys: ["question"], requiredFields: ["question"], limit: 10))
        for (module, perExample) in [("best_of_n", 3), ("refine", 5)] {
            let yaml = Self.stage(
                module, "    n: 3\n    threshold: 1\n    reward: {kind: max_length, field: answer, chars: 1}\n")
            let graph = try Self.parse(yaml).makeGraph(lm: nil)
            try await withSimulatedLM { lm, server in
                let summary = try await withLM(lm) { try await Scheduler(graph: graph).run(dataset.rows()) { _ in } }
                #expect(summary.examples == 10 && summary.errors == 0, "\(module)")
                #expect(server.stats().requests == 10 * perExample, "\(module)")
            }
        }
    }

    // MARK: multi_chain_comparison

    @Test("a multi_chain_comparison stage samples m chains of thought and compares them, both predictors tunable")
    func multiChainComparisonStage() throws {
        let yaml = Self.stage(
            "multi_chain_comparison",
            "    m: 2\n    temperature: 0.3\n"
                + "    demos:\n      - {question: \"1 + 1?\", reasoning: \"add\", answer: 2}\n"
        )
        let spec = try Self.parse(yaml)
        let stage = spec.stages[0]
        #expect(stage.comparison == ComparisonSpec(m: 2, temperature: 0.3))
        #expect(stage.outputs.map(\.name) == ["rationale", "answer"])
        let graph = try spec.makeGraph(lm: nil)
        #expect(graph.namedPredictors.map(\.name) == ["solve.attempt.predict", "solve.compare.predict"])
        let module = try #require(graph.stages[0].module as? SampledMultiChainComparison)
        #expect(module.M == 2)
        #expect(module.compare.predict.options.temperature == 0.3)
        #expect(module.attempt.predict.demos.count == 1)
        #expect(
            module.compare.predict.signature.inputNames == ["question", "reasoning_attempt_1", "reasoning_attempt_2"])
        #expect(graph.stages[0].signature.outputNames == ["rationale", "answer"])
        let defaults = try Self.parse(Self.stage("multi_chain_comparison", "")).stages[0].comparison
        #expect(defaults == ComparisonSpec(m: 3, temperature: 0.7))
    }

    @Test("the attempts run under rollout ids from the current one; the trace holds them in order, then the comparison")
    func multiChainComparisonRun() async throws {
        let lm = ScriptedLM { request in
            let text = request.messages.map(\.content).joined()
            if text.contains("reasoning_attempt_1") {
                return "[[ ## rationale ## ]]\nall agree\n\n[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]"
            }
            return "[[ ## reasoning ## ]]\nadd them\n\n[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]"
        }
        let graph = try Self.parse(Self.stage("multi_chain_comparison", "")).makeGraph(lm: lm)
        let module = graph.stages[0].module
        let (prediction, trace) = try await withTrace { try await module.forward(["question": "What is 2 + 3?"]) }
        #expect(prediction.outputs == ["rationale": "all agree", "answer": 5])
        #expect(prediction.usage.lmCalls == 4)
        #expect(
            trace.map(\.predictor) == Array(repeating: "solve.attempt.predict", count: 3) + ["solve.compare.predict"])
        let rollouts = lm.requests.map(\.rolloutID)
        #expect(rollouts.filter { $0 != nil }.compactMap { $0 }.sorted() == [0, 1, 2])
        #expect(rollouts.filter { $0 == nil }.count == 1)
        let compare = try #require(lm.requests.first { $0.rolloutID == nil })
        #expect(compare.temperature == 0.7)
        #expect(
            compare.messages.last?.content.contains("I'm trying to add them I'm not sure but my prediction is 5")
                == true)
        _ = try await LMContext.$rolloutID.withValue(10) { try await module.forward(["question": "What is 2 + 4?"]) }
        // The comparison runs under the caller's rollout id, as a MultiChainComparison on its own would.
        #expect(lm.requests.suffix(4).compactMap(\.rolloutID).sorted() == [10, 10, 11, 12])
    }

    // MARK: knn_few_shot

    @Test("a knn_few_shot stage reads its trainset relative to the pipeline file and builds KNNFewShot's program")
    func knnStage() throws {
        let file = Self.root.appendingPathComponent("pipelines/t.yaml").path
        let yaml = Self.stage(
            "knn_few_shot",
            """
                inner: chain_of_thought
                k: 2
                trainset: ../data/arithmetic_train.jsonl
                embedder: {model: emb, api_key_env: EMBED_KEY}
                max_bootstrapped_demos: 1
                max_labeled_demos: 2

            """)
        let spec = try Self.parse(yaml, file: file)
        let knn = try #require(spec.stages[0].knn)
        #expect(knn.k == 2 && knn.maxBootstrappedDemos == 1 && knn.maxLabeledDemos == 2)
        #expect(knn.trainsetURL.standardizedFileURL.path == Self.trainPath)
        #expect(
            knn.embedder
                == EmbedderSpec(model: "emb", apiKeyEnvironmentVariable: "EMBED_KEY", location: knn.embedder.location))
        #expect(spec.stages[0].outputs.map(\.name) == ["reasoning", "answer"])
        let graph = try spec.makeGraph(lm: nil)
        #expect(graph.namedPredictors.map(\.name) == ["solve"])
        let program = try #require(graph.stages[0].module as? KNNFewShot.Program)
        #expect(program.knn.k == 2 && program.knn.trainset.count == 200)
        #expect(program.knn.trainset[0].inputKeys == ["question"] && program.knn.trainset[0].id == "train-0001")
        #expect(program.bootstrap.maxBootstrappedDemos == 1 && program.bootstrap.maxLabeledDemos == 2)
        #expect(program.student is ChainOfThought<DynamicSignature>)
        #expect(graph.stages[0].signature.outputNames == ["reasoning", "answer"])
    }

    @Test("the embedder uses the run's model server unless it names its own")
    func embedderConfiguration() async throws {
        let lm = OpenAICompatibleLM(
            .init(model: "m", baseURL: "http://127.0.0.1:9/v1", apiKeyEnvironmentVariable: "LM_KEY"))
        let location = Self.location
        let onServer = LMServerEmbedder(EmbedderSpec(model: "emb", location: location), lm: lm)
        let configuration = try onServer.configuration()
        #expect(configuration.model == "emb")
        #expect(configuration.baseURL == "http://127.0.0.1:9/v1")
        #expect(configuration.apiKeyEnvironmentVariable == "LM_KEY")
        let fromTask = LMServerEmbedder(
            EmbedderSpec(model: "emb", apiKeyEnvironmentVariable: "EMBED_KEY", location: location), lm: nil)
        let taskConfiguration = try await withLM(lm) { try fromTask.configuration() }
        #expect(taskConfiguration.baseURL == "http://127.0.0.1:9/v1")
        #expect(taskConfiguration.apiKeyEnvironmentVariable == "EMBED_KEY")
        let own = LMServerEmbedder(
            EmbedderSpec(model: "emb", baseURL: "https://embed.example/v1", location: location), lm: lm,
            defaultKeyVariable: "FILE_KEY")
        #expect(try own.configuration().baseURL == "https://embed.example/v1")
        #expect(try own.configuration().apiKeyEnvironmentVariable == "FILE_KEY")
        let scripted = LMServerEmbedder(EmbedderSpec(model: "emb", location: location), lm: ScriptedLM(replies: []))
        await #expect(throws: LMError.self) { try await scripted.embed(["x"]) }
        do {
            _ = try await scripted.embed(["x"])
        } catch let error as LMError {
            #expect(error.code == .configuration)
            #expect(error.message.contains("give the embedder a base_url"))
        }
        try await lm.shutdown()
    }

    @Test("a file's own embedder URL takes the key variable of the file's lm section")
    func embedderKeyFromFile() throws {
        let yaml = Self.stage(
            "knn_few_shot",
            "    k: 1\n    trainset: \(Self.trainPath)\n    embedder: {model: e, base_url: \"http://h/v1\"}\n"
        ).replacingOccurrences(
            of: "stages:", with: "lm: {model: x, base_url: \"http://h/v1\", api_key_env: MY_KEY}\nstages:")
        let graph = try Self.parse(yaml).makeGraph(lm: nil)
        let program = try #require(graph.stages[0].module as? KNNFewShot.Program)
        let embedder = try #require(program.knn.embedder as? LMServerEmbedder)
        #expect(try embedder.configuration().apiKeyEnvironmentVariable == "MY_KEY")
    }

    @Test(
        "a trainset whose rows cannot be read is an error at the trainset, naming the row",
        arguments: [
            ("{\"question\": \"a\", \"answer\": 1}\n{\"question\": \"b\"}\n", "row 2 has no value for 'answer'"),
            ("{\"question\": \"a\", \"answer\": 1}\n{not json\n", "row 2 is not valid JSON"),
            ("\n", "has no examples"),
        ])
    func badTrainsetRows(text: String, phrase: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("knn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try text.write(to: folder.appendingPathComponent("train.jsonl"), atomically: true, encoding: .utf8)
        let file = folder.appendingPathComponent("p.yaml").path
        let yaml = Self.stage("knn_few_shot", "    k: 1\n    trainset: train.jsonl\n    embedder: {model: e}\n")
        let spec = try Self.parse(yaml, file: file)
        #expect(throws: PipelineFileError.self) { try spec.makeGraph(lm: nil) }
        do {
            _ = try spec.makeGraph(lm: nil)
        } catch {
            #expect(error.message.contains(phrase), "\(error.message)")
            #expect(error.location == SourceLocation(file: file, line: 8, column: 15))
        }
    }

    // MARK: Errors

    static var errorCases: [ModuleKindErrorCase] {
        let n = "    n: 3\n"
        let threshold = "    threshold: 1.0\n"
        let reward = "    reward: {kind: one_word}\n"
        let k = "    k: 3\n"
        let trainset = "    trainset: \(trainPath)\n"
        let embedder = "    embedder: {model: emb}\n"
        func sampled(_ reward: String) -> String { n + threshold + "    reward: \(reward)\n" }
        let readers = "expected one of 'field_matches', 'one_word', 'max_length', 'judge'"
        return [
            .init(
                name: "unknown module, with the new kinds listed", module: "refin", extra: "", code: .invalidValue,
                line: 4, at: "refin", phrase: "unknown module 'refin'",
                suggestion:
                    "did you mean 'refine'? expected one of 'predict', 'chain_of_thought', 'react', 'best_of_n', "
                    + "'refine', 'multi_chain_comparison', 'knn_few_shot'"),
            .init(
                name: "an unknown key, with the keys of the stage's module listed", module: "refine",
                extra: "    zzzzzz: 1\n", code: .unknownKey, line: 7, at: "zzzzzz",
                phrase: "unknown key 'zzzzzz' in stage 'solve'",
                suggestion: "expected one of 'id', 'module', 'signature', 'instructions', 'demos', 'inputs', "
                    + "'concurrency', 'tools', 'max_iters', 'inner', 'n', 'threshold', 'fail_count', 'reward', "
                    + "'reward_description'"),
            .init(
                name: "a misspelt key of another module", module: "predict", extra: "    trainst: x\n",
                code: .unknownKey, line: 7, at: "trainst", phrase: "unknown key 'trainst' in stage 'solve'",
                suggestion: "did you mean 'trainset'?"),
            .init(
                name: "best_of_n without n", module: "best_of_n", extra: threshold + reward, code: .missingField,
                line: 3, at: "id: solve", phrase: "missing required key 'n' for 'module: best_of_n' in stage 'solve'"),
            .init(
                name: "n of 0", module: "best_of_n", extra: "    n: 0\n" + threshold + reward, code: .invalidValue,
                line: 7, at: "0", phrase: "'n' in stage 'solve' must be positive, found 0"),
            .init(
                name: "n as text", module: "refine", extra: "    n: three\n" + threshold + reward, code: .wrongType,
                line: 7, at: "three",
                phrase: "expected a positive whole number for 'n' in stage 'solve', found the text 'three'"),
            .init(
                name: "refine without threshold", module: "refine", extra: n + reward, code: .missingField, line: 3,
                at: "id: solve", phrase: "missing required key 'threshold' for 'module: refine' in stage 'solve'"),
            .init(
                name: "threshold as text", module: "best_of_n", extra: n + "    threshold: high\n" + reward,
                code: .wrongType, line: 8, at: "high", phrase: "expected a number for 'threshold' in stage 'solve'"),
            .init(
                name: "negative fail_count", module: "best_of_n", extra: sampled("one_word") + "    fail_count: -1\n",
                code: .invalidValue, line: 10, at: "-1", phrase: "'fail_count' in stage 'solve' must be 0 or more"),
            .init(
                name: "without reward", module: "best_of_n", extra: n + threshold, code: .missingField, line: 3,
                at: "id: solve", phrase: "missing required key 'reward' for 'module: best_of_n' in stage 'solve'"),
            .init(
                name: "misspelt reward kind", module: "best_of_n", extra: sampled("{kind: one_wrd}"),
                code: .invalidValue, line: 9, at: "one_wrd", phrase: "unknown reward kind 'one_wrd'",
                suggestion: "did you mean 'one_word'? " + readers),
            .init(
                name: "a reward kind alone that needs settings", module: "refine", extra: sampled("max_length"),
                code: .invalidValue, line: 9, at: "max_length",
                phrase: "a 'max_length' reward needs a mapping with its settings",
                suggestion: "write it as {kind: max_length, field: answer, ...}"),
            .init(
                name: "reward as a list", module: "best_of_n", extra: sampled("[one_word]"), code: .wrongType,
                line: 9, at: "[", phrase: "expected a reward (a mapping with 'kind', or a kind such as one_word)"),
            .init(
                name: "field_matches without pattern", module: "best_of_n",
                extra: sampled("{kind: field_matches, field: answer}"), code: .missingField, line: 9, at: "{",
                phrase: "a 'field_matches' reward needs 'pattern' in stage 'solve'",
                suggestion: "e.g. {kind: field_matches, field: answer, pattern: \"^[0-9]+$\"}"),
            .init(
                name: "a pattern that is no regular expression", module: "best_of_n",
                extra: sampled("{kind: field_matches, pattern: \"[0-9\"}"), code: .invalidValue, line: 9,
                at: "\"[0-9\"", phrase: "'pattern' is not a valid regular expression: expected ']'"),
            .init(
                name: "misspelt reward field", module: "best_of_n", extra: sampled("{kind: one_word, field: answr}"),
                code: .unknownField, line: 9, at: "answr",
                phrase: "reward field 'answr' is not an output of stage 'solve'", suggestion: "did you mean 'answer'?"),
            .init(
                name: "reward on reasoning of a predict inner module", module: "best_of_n",
                extra: sampled("{kind: one_word, field: reasoning}"), code: .unknownField, line: 9, at: "reasoning",
                phrase: "reward field 'reasoning' is not an output of stage 'solve'"),
            .init(
                name: "max_length of 0", module: "best_of_n", extra: sampled("{kind: max_length, chars: 0}"),
                code: .invalidValue, line: 9, at: "0}",
                phrase: "'chars' in the reward in stage 'solve' must be positive"),
            .init(
                name: "judge without instructions", module: "refine", extra: sampled("{kind: judge, field: answer}"),
                code: .missingField, line: 9, at: "{", phrase: "a 'judge' reward needs 'instructions'"),
            .init(
                name: "judge with empty instructions", module: "refine",
                extra: sampled("{kind: judge, instructions: \" \"}"), code: .invalidValue, line: 9, at: "\" \"",
                phrase: "the judge's 'instructions' must not be empty"),
            .init(
                name: "a key of another reward kind", module: "best_of_n",
                extra: sampled("{kind: one_word, pattern: x}"), code: .unknownKey, line: 9, at: "pattern",
                phrase: "'pattern' does not apply to a 'one_word' reward", suggestion: "it takes 'field'"),
            .init(
                name: "misspelt reward key", module: "best_of_n", extra: sampled("{kind: one_word, feild: answer}"),
                code: .unknownKey, line: 9, at: "feild", phrase: "unknown key 'feild' in the reward in stage 'solve'",
                suggestion: "did you mean 'field'?"),
            .init(
                name: "reward_description as a list", module: "refine",
                extra: sampled("one_word") + "    reward_description: [a]\n", code: .wrongType, line: 10, at: "[",
                phrase: "expected text for 'reward_description' in stage 'solve'"),
            .init(
                name: "misspelt inner module", module: "best_of_n", extra: "    inner: chain_of_thougt\n",
                code: .invalidValue, line: 7, at: "chain_of_thougt",
                phrase: "unknown inner module 'chain_of_thougt' in stage 'solve'",
                suggestion: "did you mean 'chain_of_thought'? expected one of 'predict', 'chain_of_thought', 'react'"),
            .init(
                name: "an inner module best_of_n cannot run", module: "best_of_n",
                extra: "    inner: multi_chain_comparison\n", code: .invalidValue, line: 7,
                at: "multi_chain_comparison",
                phrase: "'module: best_of_n' cannot run 'inner: multi_chain_comparison' in stage 'solve'",
                suggestion: "expected one of 'predict', 'chain_of_thought', 'react'"),
            .init(
                name: "react inside knn_few_shot", module: "knn_few_shot", extra: "    inner: react\n",
                code: .invalidValue, line: 7, at: "react", phrase: "'module: knn_few_shot' cannot run 'inner: react'",
                suggestion: "expected 'predict' or 'chain_of_thought'"),
            .init(
                name: "n on a predict stage", module: "predict", extra: n, code: .unknownKey, line: 7, at: "n:",
                phrase: "'n' applies only to 'module: best_of_n' and 'module: refine' in stage 'solve'",
                suggestion: "this stage runs 'module: predict'"),
            .init(
                name: "inner on a react stage", module: "react", extra: "    inner: predict\n", code: .unknownKey,
                line: 7, at: "inner",
                phrase: "'inner' applies only to 'module: best_of_n', 'module: refine' and 'module: knn_few_shot'"),
            .init(
                name: "reward_description on best_of_n", module: "best_of_n",
                extra: "    reward_description: x\n" + sampled("one_word"), code: .unknownKey, line: 7,
                at: "reward_description", phrase: "'reward_description' applies only to 'module: refine'",
                suggestion: "this stage runs 'module: best_of_n'"),
            .init(
                name: "tools on best_of_n around predict", module: "best_of_n",
                extra: sampled("one_word") + "    tools: [calculator]\n", code: .unknownKey, line: 10, at: "tools",
                phrase:
                    "'tools' applies only to 'module: react' (and to best_of_n and refine stages with 'inner: react')"),
            .init(
                name: "m of 0", module: "multi_chain_comparison", extra: "    m: 0\n", code: .invalidValue, line: 7,
                at: "0", phrase: "'m' in stage 'solve' must be positive, found 0"),
            .init(
                name: "negative temperature", module: "multi_chain_comparison", extra: "    temperature: -1\n",
                code: .invalidValue, line: 7, at: "-1",
                phrase: "'temperature' in stage 'solve' must be a number of at least 0"),
            .init(
                name: "temperature as text", module: "multi_chain_comparison", extra: "    temperature: warm\n",
                code: .wrongType, line: 7, at: "warm", phrase: "expected a number for 'temperature' in stage 'solve'"),
            .init(
                name: "m on best_of_n", module: "best_of_n", extra: "    m: 3\n", code: .unknownKey, line: 7,
                at: "m:", phrase: "'m' applies only to 'module: multi_chain_comparison' in stage 'solve'"),
            .init(
                name: "a demo with the comparison's rationale", module: "multi_chain_comparison",
                extra: "    demos:\n      - {question: q, rationale: r, answer: 1}\n", code: .unknownField, line: 8,
                at: "rationale", phrase: "demo field 'rationale' is not a field of the signature"),
            .init(
                name: "knn_few_shot without k", module: "knn_few_shot", extra: trainset + embedder,
                code: .missingField, line: 3, at: "id: solve",
                phrase: "missing required key 'k' for 'module: knn_few_shot' in stage 'solve'"),
            .init(
                name: "k of 0", module: "knn_few_shot", extra: "    k: 0\n" + trainset + embedder, code: .invalidValue,
                line: 7, at: "0", phrase: "'k' in stage 'solve' must be positive, found 0"),
            .init(
                name: "knn_few_shot without trainset", module: "knn_few_shot", extra: k + embedder,
                code: .missingField, line: 3, at: "id: solve", phrase: "missing required key 'trainset'"),
            .init(
                name: "a trainset that does not exist", module: "knn_few_shot",
                extra: k + "    trainset: no/such.jsonl\n" + embedder, code: .unreadableFile, line: 8,
                at: "no/such", phrase: "no trainset file 'no/such.jsonl'",
                suggestion: "a relative path starts from the pipeline file's folder"),
            .init(
                name: "a trainset that is no dataset", module: "knn_few_shot",
                extra: k + "    trainset: notes.txt\n" + embedder, code: .invalidValue, line: 8, at: "notes.txt",
                phrase: "trainset 'notes.txt' is not a dataset file",
                suggestion: "use a .jsonl, .ndjson, .json-lines or .csv file"),
            .init(
                name: "an empty trainset path", module: "knn_few_shot", extra: k + "    trainset: \"\"\n" + embedder,
                code: .invalidValue, line: 8, at: "\"\"", phrase: "'trainset' must not be empty"),
            .init(
                name: "knn_few_shot without embedder", module: "knn_few_shot", extra: k + trainset,
                code: .missingField, line: 3, at: "id: solve", phrase: "missing required key 'embedder'"),
            .init(
                name: "an embedder given by name", module: "knn_few_shot",
                extra: k + trainset + "    embedder: vectors\n",
                code: .wrongType, line: 9, at: "vectors", phrase: "expected a mapping with the embedding 'model'"),
            .init(
                name: "an embedder without model", module: "knn_few_shot",
                extra: k + trainset + "    embedder: {api_key_env: KEY}\n", code: .missingField, line: 9, at: "{",
                phrase: "missing required key 'model' in 'embedder' in stage 'solve'"),
            .init(
                name: "a misspelt embedder key", module: "knn_few_shot",
                extra: k + trainset + "    embedder: {modle: emb}\n", code: .unknownKey, line: 9, at: "modle",
                phrase: "unknown key 'modle' in 'embedder' in stage 'solve'", suggestion: "did you mean 'model'?"),
            .init(
                name: "an embedder URL that is not http", module: "knn_few_shot",
                extra: k + trainset + "    embedder: {model: e, base_url: \"ftp://h\"}\n", code: .invalidValue,
                line: 9, at: "\"ftp", phrase: "'base_url' in 'embedder' in stage 'solve' must start with http://"),
            .init(
                name: "demos on knn_few_shot", module: "knn_few_shot",
                extra: "    demos: []\n" + k + trainset + embedder, code: .unknownKey, line: 7, at: "demos",
                phrase: "'demos' does not apply to 'module: knn_few_shot' in stage 'solve'",
                suggestion: "each call's demos are bootstrapped from the k nearest examples of 'trainset'"),
            .init(
                name: "negative max_labeled_demos", module: "knn_few_shot",
                extra: k + trainset + embedder + "    max_labeled_demos: -1\n", code: .invalidValue, line: 10,
                at: "-1", phrase: "'max_labeled_demos' in stage 'solve' must be 0 or more"),
            .init(
                name: "k on best_of_n", module: "best_of_n", extra: "    k: 3\n", code: .unknownKey, line: 7, at: "k:",
                phrase: "'k' applies only to 'module: knn_few_shot' in stage 'solve'"),
        ]
    }

    @Test(
        "each bad form is an error at its file, line and column, naming the key and what was expected",
        arguments: errorCases)
    func invalidStage(_ testCase: ModuleKindErrorCase) throws {
        let yaml = Self.stage(testCase.module, testCase.extra)
        let error = try #require(Self.error(yaml))
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let line = String(lines[testCase.line - 1])
        let column = try #require(line.range(of: testCase.at)).lowerBound.utf16Offset(in: line) + 1
        #expect(error.code == testCase.code, "\(error)")
        #expect(error.location == SourceLocation(file: "t.yaml", line: testCase.line, column: column), "\(error)")
        #expect(error.message.contains(testCase.phrase), "\(error.message)")
        if let suggestion = testCase.suggestion {
            #expect(error.suggestion == suggestion)
        }
        #expect(error.sourceLine == line)
    }

    @Test("a key pasted into an embedder's api_key_env is neither repeated nor shown")
    func embedderKeyNotShown() throws {
        let secret = "sk-abcdefghijklmnopqrstuvwxyz0123456789"
        let yaml = Self.stage(
            "knn_few_shot",
            "    k: 1\n    trainset: \(Self.trainPath)\n    embedder: {model: e, api_key_env: \(secret)}\n")
        let error = try #require(Self.error(yaml))
        #expect(error.code == .invalidValue && error.location.line == 9)
        #expect(!error.description.contains(secret) && error.sourceLine == nil)
    }

    // MARK: Graphs and tools

    @Test("later stages read a wrapped stage's inner outputs and a comparison's rationale")
    func downstreamBindings() throws {
        let yaml = """
            name: t
            stages:
              - id: solve
                module: best_of_n
                inner: chain_of_thought
                signature: "question -> answer: int"
                inputs: {question: input.question}
                n: 2
                threshold: 1
                reward: {kind: max_length, field: reasoning, chars: 400}
              - id: compare
                module: multi_chain_comparison
                signature: "question, steps -> answer: int"
                inputs: {question: input.question, steps: solve.reasoning}
              - id: explain
                signature: "why -> summary"
                inputs: {why: compare.rationale}
            """
        let spec = try Self.parse(yaml)
        #expect(spec.outputs.map(\.name) == ["summary"])
        let graph = try spec.makeGraph(lm: nil)
        #expect(
            graph.namedPredictors.map(\.name) == [
                "solve", "compare.attempt.predict", "compare.compare.predict", "explain",
            ])
        let bad = yaml.replacingOccurrences(of: "steps: solve.reasoning", with: "steps: solve.rationale")
        let error = try #require(Self.error(bad))
        #expect(error.code == .unknownField && error.message.contains("stage 'solve' has no output 'rationale'"))
    }

    @Test("the tools of a react inner module are connected and listed like a react stage's")
    func innerReactTools() async throws {
        let yaml = Self.stage("refine", "    inner: react\n    tools: [calculator]\n" + Self.sampling)
        let spec = try Self.parse(yaml)
        #expect(spec.stages[0].usesTools)
        let tools = try await spec.connectTools()
        #expect(tools.byStage["solve"]?.map(\.name) == ["calculator"])
        let graph = try spec.makeGraph(lm: nil, tools: tools)
        #expect(((graph.stages[0].module as? Refine)?.module as? ReAct)?.tools.map(\.name) == ["calculator"])
        await tools.close()
    }

    // MARK: Bundled pipelines

    /// The bundled pipelines of the new kinds and the chat requests each makes on 200 examples: a stage whose reward
    /// is met at once makes one; a comparison m + 1; KNN up to k teacher runs and the student's.
    static let bundled: [(file: String, requests: ClosedRange<Int>)] = [
        ("sampling_best_of_n.yaml", 200...200),
        ("sampling_refine.yaml", 200...200),
        ("sampling_multi_chain_comparison.yaml", 800...800),
        ("knn_few_shot.yaml", 400...800),
    ]

    @Test("the bundled pipelines of the new kinds are there and none is named arithmetic*")
    func bundledFilesExist() {
        for (file, _) in Self.bundled {
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("pipelines/\(file)").path))
            #expect(!file.hasPrefix("arithmetic"))
        }
    }

    @Test(
        "each bundled pipeline of a new kind runs on the dev set against the simulator",
        arguments: bundled.map(\.file))
    func bundledPipelineRuns(file: String) async throws {
        let expected = try #require(Self.bundled.first { $0.file == file }?.requests)
        let spec = try PipelineFile.load(path: Self.root.appendingPathComponent("pipelines/\(file)").path)
        let data = Self.root.appendingPathComponent("data/arithmetic_dev.jsonl")
        let dataset = Dataset(url: data, configuration: .init(inputKeys: ["question"], requiredFields: ["question"]))
        // Built without a model, which is bound at run time, as the CLI and the Run layer do.
        let graph = try spec.makeGraph(lm: nil)
        try await withSimulatedLM { lm, server in
            var results: [ExampleResult] = []
            let summary = try await withLM(lm) {
                try await Scheduler(graph: graph).run(dataset.rows()) { results.append($0) }
            }
            #expect(summary.examples == 200)
            #expect(summary.errors == 0)
            #expect(expected.contains(server.stats().requests), "\(server.stats().requests) requests")
            #expect(results.allSatisfy { $0.outputs["answer"]?.intValue != nil })
            #expect(Set(results.map(\.example.id)).count == 200)
            if spec.stages[0].module == .knnFewShot {
                // The training set is embedded once, each question once, on the simulator.
                let embeddings = server.stats().byPath["/v1/embeddings", default: 0]
                #expect(embeddings >= 201 && embeddings <= 202, "\(embeddings) embedding requests")
                let correct = results.filter { $0.outputs["answer"] == $0.example.values["answer"] }.count
                #expect(correct > 140, "nearby demos help: \(correct) of 200")
            }
            if spec.stages[0].module == .multiChainComparison {
                #expect(results.allSatisfy { $0.outputs["rationale"]?.stringValue?.isEmpty == false })
            }
        }
    }
}
