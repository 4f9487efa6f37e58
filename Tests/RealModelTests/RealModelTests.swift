import DSPEx
import DSPExTesting
import Foundation
import Testing

/// DSPEx against a real model: SmolLM2-135M-Instruct on llama.cpp's OpenAI-compatible server, local and
/// deterministic at temperature 0. Skipped, with how to install it, when the model is not installed;
/// in CI (`CI=true`) it always runs, so a missing model fails.
@Suite(
    .serialized, .timeLimit(.minutes(5)), .realModelServer,
    .enabled(if: RealModelServer.isInstalled || RealModelServer.isCI, Comment(rawValue: RealModelServer.howToInstall))
)
struct RealModelTests {
    static let root = RealModelServer.root

    var server: RealModelServer {
        get throws { try #require(RealModelServer.current, "the suite trait starts the server") }
    }

    /// Runs `body` with a client for the suite's server and shuts it down afterwards.
    func withClient<R>(maxTokens: Int = 48, _ body: (OpenAICompatibleLM) async throws -> R) async throws -> R {
        let lm = try server.client(maxTokens: maxTokens)
        do {
            let result = try await body(lm)
            try await lm.shutdown()
            return result
        } catch {
            try? await lm.shutdown()
            throw error
        }
    }

    @Test("Predict with ChatAdapter and two demos: the model follows the format and the field is typed")
    func predictWithDemos() async throws {
        try await withClient { lm in
            let demos = [
                Example(["question": "What is 1 + 1?", "answer": 2], inputKeys: ["question"]),
                Example(["question": "What is 2 + 2?", "answer": 4], inputKeys: ["question"]),
            ]
            let predict = try Predict("question -> answer: int", lm: lm, demos: demos)
            let prediction = try await predict(["question": "What is 3 + 3?"])
            let answer = try #require(prediction["answer"]?.intValue, "\(prediction.outputs)")
            print("Predict (ChatAdapter, 2 demos): answer \(answer), \(prediction.usage.lmCalls) LM call(s)")
            #expect(prediction.usage.lmCalls == 1, "the reply followed the [[ ## field ## ]] format")
            #expect(lm.history.all.last?.request.responseFormat == nil)
        }
    }

    @Test("ChainOfThought with ChatAdapter and a demo with reasoning gives reasoning and answer")
    func chainOfThought() async throws {
        try await withClient(maxTokens: 96) { lm in
            let demos = [
                Example(
                    [
                        "question": "Tom has 2 apples and buys 1 more. How many apples does he have?",
                        "reasoning": "Tom had 2 apples and bought 1, so he has 3.", "answer": 3,
                    ], inputKeys: ["question"]),
                Example(
                    [
                        "question": "Ann has 5 pens and loses 1. How many pens does she have?",
                        "reasoning": "Ann had 5 pens and lost 1, so she has 4.", "answer": 4,
                    ], inputKeys: ["question"]),
            ]
            let cot = try ChainOfThought("question -> answer: int", lm: lm, demos: demos)
            let prediction = try await cot(["question": "Sam has 3 cards and gets 2 more. How many cards does he have?"]
            )
            let reasoning = try #require(prediction["reasoning"]?.stringValue)
            let answer = try #require(prediction["answer"]?.intValue)
            print("ChainOfThought: reasoning \(reasoning.debugDescription), answer \(answer)")
            #expect(!reasoning.isEmpty)
        }
    }

    @Test("zero-shot, the model ignores the chat format and the JSON fallback reads the typed answer")
    func jsonFallback() async throws {
        try await withClient { lm in
            let prediction = try await Predict("question -> answer: int", lm: lm)(["question": "What is 2 + 3?"])
            let answer = try #require(prediction["answer"]?.intValue)
            let calls = lm.history.all
            print(
                "JSON fallback: answer \(answer) after \(calls.count) calls; first reply: \(calls.first?.response?.text.prefix(60).debugDescription ?? "")"
            )
            #expect(prediction.usage.lmCalls == 2, "one ChatAdapter call, then one JSONAdapter call")
            #expect(calls.last?.request.responseFormat?["type"] == "json_schema")
        }
    }

    @Test("JSONAdapter's response_format with a JSON schema constrains the reply to a valid Literal")
    func jsonAdapterSchema() async throws {
        try await withClient { lm in
            let predict = try Predict(
                "review -> sentiment: Literal['positive', 'negative']", lm: lm, adapter: JSONAdapter())
            let prediction = try await predict(["review": "I loved this film, it was wonderful."])
            let sentiment = try #require(prediction["sentiment"]?.stringValue)
            #expect(["positive", "negative"].contains(sentiment))
            #expect(prediction.usage.lmCalls == 1)
            let format = try #require(lm.history.all.last?.request.responseFormat)
            #expect(format["json_schema"]?["schema"]?["properties"]?["sentiment"]?["enum"] == ["positive", "negative"])
            print("JSONAdapter (json_schema): sentiment \(sentiment)")
        }
    }

    @Test("n = 2, which the server refuses, is answered with two one-choice requests")
    func severalChoices() async throws {
        try await withClient(maxTokens: 8) { lm in
            let response = try await lm.complete(
                LMRequest(model: lm.model, messages: [.user("Name a colour.")], temperature: 0.7, n: 2))
            #expect(response.choices.count == 2)
            #expect(response.usage.completionTokens > 0)
        }
    }

    @Test("a reply cut off at max_tokens fails with an error that says so")
    func truncation() async throws {
        try await withClient(maxTokens: 6) { lm in
            let cot = try ChainOfThought("question -> answer", lm: lm, adapter: ChatAdapter(useJSONFallback: false))
            do {
                _ = try await cot(["question": "Why is the sky blue?"])
                Issue.record("six tokens cannot hold reasoning and answer")
            } catch let error as AdapterError {
                #expect(error.truncated)
                #expect(lm.history.all.last?.response?.choices.first?.finishReason == "length")
            }
        }
    }

    @Test("ReAct with a tool end to end: the loop runs, every step is recorded, the extract step answers")
    func reactLoop() async throws {
        try await withClient(maxTokens: 160) { lm in
            let add = try FunctionTool(
                name: "add", description: "Adds two integers.", signature: "a: int, b: int -> sum: int"
            ) {
                .int(try $0.decode("a", as: Int.self) + $0.decode("b", as: Int.self))
            }
            var agent = try ReAct("question -> answer: int", tools: [add], maxIters: 3, lm: lm)
            agent.react.demos = [
                Example(
                    [
                        "question": "What is 1234 + 4321?", "trajectory": "",
                        "next_thought": "I will add the numbers.",
                        "next_tool_name": "add", "next_tool_args": ["a": 1234, "b": 4321],
                    ], inputKeys: ["question", "trajectory"])
            ]
            var completed = 0
            for question in ["What is 2000 + 3000?", "What is 120 + 230?"] {
                do {
                    let prediction = try await agent(["question": .string(question)])
                    let trajectory = try #require(prediction["trajectory"]?.objectValue)
                    print(
                        "ReAct (real model) \(question): \(trajectory.count / 4) step(s), answer \(prediction["answer"] ?? .null)"
                    )
                    // Each step records thought, tool name, arguments and observation, in order.
                    #expect(trajectory.count % 4 == 0 && trajectory.count >= 4)
                    for (index, name) in trajectory.keys.enumerated() {
                        let kinds = ["thought_", "tool_name_", "tool_args_", "observation_"]
                        #expect(name == kinds[index % 4] + String(index / 4))
                    }
                    for step in 0..<(trajectory.count / 4) {
                        let tool = trajectory["tool_name_\(step)"]?.stringValue
                        #expect(tool == "add" || tool == "finish")
                    }
                    #expect(prediction["answer"]?.intValue != nil)
                    #expect(prediction.usage.lmCalls >= 2)
                    completed += 1
                } catch let error as AdapterError {
                    // A 135M model may still break the format: the error keeps its raw reply, as any parse error does.
                    print("ReAct (real model) \(question): the reply did not parse: \(error)")
                    #expect(!error.rawReply.isEmpty)
                }
            }
            #expect(completed >= 1, "no question ran the agent loop to its end")
        }
    }

    @Test("dspex eval and dspex compile on the bundled task: the dev score rises after BootstrapFewShot")
    func compileImprovesDevScore() async throws {
        let server = try server
        let pipeline = Self.root.appendingPathComponent("pipelines/realmodel_names.yaml").path
        let dev = Self.root.appendingPathComponent("data/realmodel_names_dev.jsonl").path
        let train = Self.root.appendingPathComponent("data/realmodel_names_train.jsonl").path
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-real-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = ["--lm", server.model, "--base-url", server.baseURL]

        func evaluate(_ extra: [String], run: String) async throws -> (score: Double, errors: Int) {
            let output = try await ChildProcess.run(
                ChildProcess.dspex,
                [
                    "eval", pipeline, "--data", dev, "--store", scratch.appendingPathComponent("runs.sqlite").path,
                    "--run", run, "--json",
                ] + model + extra)
            #expect(output.status == 0, "\(output.stderr)")
            let summary = try Value(json: output.stdout)
            return (summary["score"]?.doubleValue ?? -1, summary["errors"]?.intValue ?? -1)
        }

        let clock = ContinuousClock()
        let started = clock.now
        let before = try await evaluate([], run: "before")
        let program = scratch.appendingPathComponent("program.json").path
        let compileStarted = clock.now
        let compiled = try await ChildProcess.run(
            ChildProcess.dspex,
            [
                "compile", pipeline, "--optimizer", "bootstrap", "--trainset", train, "--max-demos", "3",
                "--max-bootstrapped-demos", "2", "--out", program,
            ] + model)
        #expect(compiled.status == 0, "\(compiled.stderr)")
        let compileTime = clock.now - compileStarted
        let after = try await evaluate(["--program", program], run: "after")
        print(
            String(
                format:
                    "realmodel_names dev score: before %.1f%% (%d errors), after BootstrapFewShot %.1f%% (%d errors);",
                before.score, before.errors, after.score, after.errors)
                + " compile \(compileTime), total \(clock.now - started)")
        let demos = try Value(json: String(contentsOfFile: program, encoding: .utf8))["extract"]?["demos"]?.arrayValue
        #expect(demos?.isEmpty == false)
        #expect(after.score > before.score)
    }
}
