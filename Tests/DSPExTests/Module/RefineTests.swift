import DSPExTesting
import Foundation
import OrderedCollections
import Testing

@testable import DSPEx

/// DSPy's Refine: BestOfN's attempts, with OfferFeedback's advice handed to the next attempts as `hint_`. The
/// feedback prompt, the hinted prompt, `inspect_modules` and the OfferFeedback signature are compared with
/// `refine_feedback.json`, made by DSPy 3.4.1 (`scripts/golden/make_fixtures.py`).
@Suite struct RefineTests {
    static let question: OrderedDictionary<String, Value> = ["question": "What is the capital of Belgium?"]

    /// The fixture's first attempt: a sentence, so the one-word reward is 0.
    static let sentence = """
        [[ ## reasoning ## ]]
        Belgium's capital city is Brussels,
        which hosts the EU institutions.

        [[ ## answer ## ]]
        The capital of Belgium is Brussels.

        [[ ## completed ## ]]
        """
    static let oneWord = "[[ ## reasoning ## ]]\nBrussels.\n\n[[ ## answer ## ]]\nBrussels\n\n[[ ## completed ## ]]"

    static func feedbackReply(_ advice: String = #"{"predict": "Answer with one word."}"#) -> String {
        "[[ ## discussion ## ]]\nThe answer is a sentence.\n\n[[ ## advice ## ]]\n\(advice)\n\n[[ ## completed ## ]]"
    }

    /// Whether a request is the OfferFeedback call.
    static func isFeedback(_ request: LMRequest) -> Bool {
        request.messages.first?.content.contains("`program_code`") == true
    }

    /// Answers attempts by rollout id (or throws for the ids in `failing`) and the feedback call with `advice`
    /// (or throws when `feedbackFails`).
    static func lm(
        _ attempts: [Int: String], failing: Set<Int> = [], advice: String? = nil, feedbackFails: Bool = false
    ) -> ScriptedLM {
        ScriptedLM { request in
            if isFeedback(request) {
                if feedbackFails { throw LMError(code: .httpStatus, message: "500", status: 500) }
                return advice.map { feedbackReply($0) } ?? feedbackReply()
            }
            let rollout = request.rolloutID ?? -1
            if failing.contains(rollout) { throw LMError(code: .httpStatus, message: "500", status: 500) }
            return attempts[rollout] ?? sentence
        }
    }

    static let isOneWord: Refine.Reward = { _, prediction in
        prediction["answer"]?.plainText.split(separator: " ").count == 1 ? 1 : 0
    }

    /// Ordered `[[key, value], …]` pairs as a dictionary.
    static func pairs(_ value: Value?) -> OrderedDictionary<String, Value> {
        var result = OrderedDictionary<String, Value>()
        for pair in value?.arrayValue ?? [] {
            if let key = pair[0]?.stringValue, let element = pair[1] { result[key] = element }
        }
        return result
    }

    static func messages(_ value: Value?) -> [ChatMessage] {
        (value?.arrayValue ?? []).map {
            ChatMessage(role: $0["role"]?.stringValue ?? "", content: $0["content"]?.stringValue ?? "")
        }
    }

    static func expectSame(_ mine: [ChatMessage], _ theirs: [ChatMessage], _ what: String) {
        #expect(mine.count == theirs.count, "\(what)")
        for (mine, theirs) in zip(mine, theirs) {
            #expect(mine.role == theirs.role, "\(what)")
            #expect(mine.content == theirs.content, "\(what)")
        }
    }

    /// The field rows `make_fixtures.py` writes for a signature.
    static func fieldRows(_ signature: Signature) -> Value {
        var rows: [Value] = []
        for (role, fields) in [("input", signature.inputs), ("output", signature.outputs)] {
            for field in fields {
                rows.append([
                    "name": .string(field.name), "role": .string(role),
                    "annotation": .string(FieldFormatting.annotationName(field.type)),
                    "prefix": .string(field.prefix), "description": .string(field.descriptionOrPlaceholder),
                ])
            }
        }
        return .array(rows)
    }

    @Test("OfferFeedback's instructions, fields, descriptions and types are DSPy's", .tags(.golden))
    func offerFeedbackSignature() throws {
        let fixture = try Fixtures.load("refine_feedback.json")
        #expect(OfferFeedback.signature.instructions == fixture["instructions"]?.stringValue)
        #expect(Self.fieldRows(OfferFeedback.signature) == fixture["fields"])
    }

    @Test("the hint field is DSPy's: hint_, 'Hint :', appended to the inputs", .tags(.golden))
    func hintField() throws {
        let fixture = try Fixtures.load("refine_feedback.json")
        var signature = try ChainOfThought("question -> answer").predict.signature
        signature.inputs.append(Refine.hintField)
        #expect(Self.fieldRows(signature) == fixture["hint_fields"])
    }

    @Test("inspect_modules matches DSPy's for a ChainOfThought and a ReAct program", .tags(.golden))
    func inspectModules() throws {
        let fixture = try Fixtures.load("refine_feedback.json")
        let cot = try ChainOfThought("question -> answer")
        #expect(Refine.inspectModules(cot.namedPredictors) == fixture["modules_defn"]?["chain_of_thought"]?.stringValue)

        let react = try Fixtures.load("react_basic.json")
        let tools: [any Tool] = try (react["tools"]?.arrayValue ?? []).compactMap { tool in
            let name = try #require(tool["name"]?.stringValue)
            guard name != ReAct.finishToolName else { return nil }
            return try FunctionTool(
                name: name, description: tool["desc"]?.stringValue, arguments: tool["args"]?.objectValue ?? [:]
            ) { _ in .null }
        }
        let agent = try ReAct(
            try Signature(
                try #require(react["signature"]?.stringValue), instructions: react["instructions"]?.stringValue),
            tools: tools)
        #expect(agent.namedPredictors.map(\.name) == ["react", "extract.predict"])
        #expect(Refine.inspectModules(agent.namedPredictors) == fixture["modules_defn"]?["react"]?.stringValue)
    }

    @Test("Python's splitlines and strip(\"\\n\") as inspect_modules uses them")
    func pythonLines() {
        #expect(Refine.pythonLines("a\r\nb\rc\u{2028}d\n\ne\n") == ["a", "b", "c", "d", "", "e"])
        #expect(Refine.pythonLines("") == [])
        #expect(Refine.strippingNewlines("\n\n\tx \n") == "\tx ")
    }

    @Test("non-text inputs are written as orjson's OPT_INDENT_2 writes them")
    func orjsonText() {
        let value: Value = [
            "a": "é\u{2028}\u{01}\u{1F}\u{7F}\"\\/\u{08}\u{0C}\n\r\t😀", "b": [], "c": [:],
            "d": [1, ["x": nil, "y": true]],
        ]
        #expect(
            OfferFeedback.jsonText(value) == """
                {
                  "a": "é\u{2028}\\u0001\\u001f\u{7F}\\"\\\\/\\b\\f\\n\\r\\t😀",
                  "b": [],
                  "c": {},
                  "d": [
                    1,
                    {
                      "x": null,
                      "y": true
                    }
                  ]
                }
                """)
        // Printed by orjson 3.13.0.
        let numbers: [Value] = [
            1.0, 0.0, 1e16, 1e-7, 0.1, 1e-5, 1.5e-5, -2.5e-7, -1e-5, 12345.678, .double(.nan), .double(.infinity),
            -0.0, 0.0001, 3, true, nil, "x",
        ]
        let expected = [
            "1.0", "0.0", "1e+16", "1e-7", "0.1", "0.00001", "0.000015", "-2.5e-7", "-0.00001", "12345.678", "null",
            "null", "-0.0", "0.0001", "3", "true", "null", "\"x\"",
        ]
        #expect(OfferFeedback.jsonText(.array(numbers)) == "[\n  " + expected.joined(separator: ",\n  ") + "\n]")
        #expect(OfferFeedback.jsonText("text") == "\"text\"")
    }

    @Test("the feedback prompt and the hinted prompt match DSPy's byte for byte", .tags(.golden))
    func feedbackAndHintPromptsMatch() async throws {
        let fixture = try Fixtures.load("refine_feedback.json")
        let feedbackInputs = Self.pairs(fixture["inputs"])
        let lm = Self.lm([1: Self.oneWord])
        // The fixture's program_code and reward_code are DSPy's Python source; passing them as the descriptions
        // makes the whole prompt comparable.
        let refine = Refine(
            try ChainOfThought("question -> answer"), n: 3, threshold: 1.0,
            rewardDescription: try #require(feedbackInputs["reward_code"]?.stringValue),
            programDescription: try #require(feedbackInputs["program_code"]?.stringValue), reward: Self.isOneWord)
        let (prediction, trace) = try await withTrace { try await withLM(lm) { try await refine(Self.question) } }

        #expect(prediction["answer"] == "Brussels")
        let requests = lm.requests
        #expect(requests.map(Self.isFeedback) == [false, true, false])
        Self.expectSame(requests[1].messages, Self.messages(fixture["messages"]), "feedback messages")
        Self.expectSame(requests[2].messages, Self.messages(fixture["hint_messages"]), "hinted messages")
        // Attempts under rollout ids 0 and 1 at temperature 1.0; the feedback call under the caller's (none).
        #expect(requests.map(\.rolloutID) == [0, nil, 1])
        #expect(requests[0].temperature == 1.0 && requests[2].temperature == 1.0)
        // Only the chosen attempt's call, with hint_ among its inputs as in DSPy, under the predictor's signature.
        #expect(trace.count == 1)
        #expect(trace.first?.inputs == Self.pairs(fixture["hint_inputs"]))
        #expect(trace.first?.signature == refine.module.namedPredictors.first?.state.signature)
        #expect(prediction.usage.lmCalls == 3)
    }

    @Test("the feedback inputs are DSPy's except program_code, which describes the Swift module", .tags(.golden))
    func defaultProgramDescription() async throws {
        let fixture = try Fixtures.load("refine_feedback.json")
        let expected = Self.pairs(fixture["inputs"])
        let lm = Self.lm([1: Self.oneWord])
        let refine = Refine(
            try ChainOfThought("question -> answer"), n: 2, threshold: 1.0,
            rewardDescription: try #require(expected["reward_code"]?.stringValue), reward: Self.isOneWord)
        _ = try await withLM(lm) { try await refine(Self.question) }

        let description = Refine.describe(refine.module)
        #expect(
            description == """
                ChainOfThought<DynamicSignature> (a DSPEx module in Swift; its source is not available at run time)
                Predictors:
                - predict: question -> reasoning, answer
                """)
        // DSPy puts the Python source of ChainOfThought in program_code; everything else is byte for byte.
        let pythonSource = try #require(expected["program_code"]?.stringValue)
        var wanted = Self.messages(fixture["messages"])
        wanted[1].content = wanted[1].content.replacingOccurrences(of: pythonSource, with: description)
        let feedback = try #require(lm.requests.first(where: Self.isFeedback))
        Self.expectSame(feedback.messages, wanted, "feedback messages with the Swift description")
        #expect(feedback.messages[1].content.contains("[[ ## program_code ## ]]\n\(description)\n\n"))
    }

    @Test("the first attempt reaching the threshold wins and no feedback is asked")
    func firstPassingAttemptWins() async throws {
        let lm = Self.lm([0: Self.oneWord])
        let refine = Refine(try ChainOfThought("question -> answer"), n: 3, threshold: 1.0, reward: Self.isOneWord)
        let prediction = try await withLM(lm) { try await refine(Self.question) }
        #expect(prediction["answer"] == "Brussels")
        #expect(lm.requests.count == 1)
        #expect(prediction.usage.lmCalls == 1)
    }

    @Test("no feedback after the last attempt; the best attempt is returned and usage covers every call")
    func noFeedbackAfterTheLastAttempt() async throws {
        let lm = Self.lm([:])
        let shortest = Refine(try ChainOfThought("question -> answer"), n: 2, threshold: 10) { _, prediction in
            -Double(prediction["answer"]?.plainText.count ?? 0)
        }
        let (prediction, trace) = try await withTrace { try await withLM(lm) { try await shortest(Self.question) } }
        #expect(lm.requests.map(Self.isFeedback) == [false, true, false])
        #expect(prediction["answer"] == "The capital of Belgium is Brussels.")
        #expect(prediction.usage.lmCalls == 3)
        // A tie keeps the first attempt, whose call had no hint.
        #expect(trace.count == 1)
        #expect(trace.first?.inputs["hint_"] == nil)
    }

    @Test("every predictor call of a hinted attempt gets its advice or N/A; the feedback call gets none")
    func hintsReachEveryPredictor() async throws {
        let lm = ScriptedLM { request in
            let system = request.messages.first?.content ?? ""
            if system.contains("`program_code`") {
                return Self.feedbackReply(#"{"react": "Call finish at once."}"#)
            }
            if system.contains("`next_thought`") {
                return "[[ ## next_thought ## ]]\nDone.\n\n[[ ## next_tool_name ## ]]\nfinish\n\n"
                    + "[[ ## next_tool_args ## ]]\n{}\n\n[[ ## completed ## ]]"
            }
            let answer = request.rolloutID == 1 ? "Brussels" : "It is Brussels."
            return "[[ ## reasoning ## ]]\nKnown.\n\n[[ ## answer ## ]]\n\(answer)\n\n[[ ## completed ## ]]"
        }
        let agent = try ReAct("question -> answer", tools: [])
        let refine = Refine(agent, n: 3, threshold: 1.0, lm: lm, reward: Self.isOneWord)
        let (prediction, trace) = try await withTrace { try await withLM(lm) { try await refine(Self.question) } }
        #expect(prediction["answer"] == "Brussels")
        let requests = lm.requests
        #expect(requests.count == 5)
        let feedback = try #require(requests.first(where: Self.isFeedback))
        #expect(feedback.messages.allSatisfy { !$0.content.contains("hint_") })
        #expect(
            feedback.messages[1].content.contains("[[ ## module_names ## ]]\n[\n  \"react\",\n  \"extract.predict\"\n]")
        )
        #expect(feedback.messages[1].content.contains("\"module_name\": \"extract.predict\""))
        let hinted = requests.suffix(2).map { $0.messages[1].content }
        #expect(hinted[0].contains("[[ ## hint_ ## ]]\nCall finish at once.\n\n"))
        #expect(hinted[1].contains("[[ ## hint_ ## ]]\nN/A\n\n"))
        #expect(
            requests.prefix(2).allSatisfy { request in request.messages.allSatisfy { !$0.content.contains("hint_") } })
        #expect(trace.map(\.predictor) == ["react", "extract.predict"])
        #expect(trace.map { $0.inputs["hint_"] } == ["Call finish at once.", "N/A"])
    }

    @Test("empty advice means no hints; advice stays in force after a failed attempt")
    func adviceRules() async throws {
        let empty = Self.lm([:], advice: "{}")
        let refine = Refine(try ChainOfThought("question -> answer"), n: 2, threshold: 1, reward: Self.isOneWord)
        _ = try await withLM(empty) { try await refine(Self.question) }
        #expect(empty.requests.count == 3)
        #expect(empty.requests.allSatisfy { request in request.messages.allSatisfy { !$0.content.contains("hint_") } })

        // Attempt 0 earns advice, attempt 1 fails, attempt 2 still has the hint.
        let lm = Self.lm([2: Self.oneWord], failing: [1])
        let three = Refine(try ChainOfThought("question -> answer"), n: 3, threshold: 1, reward: Self.isOneWord)
        let prediction = try await withLM(lm) { try await three(Self.question) }
        #expect(prediction["answer"] == "Brussels")
        #expect(lm.requests.map(\.rolloutID) == [0, nil, 1, 2])
        #expect(lm.requests[3].messages[1].content.contains("[[ ## hint_ ## ]]\nAnswer with one word.\n\n"))
    }

    @Test("failed attempts follow DSPy's fail_count rule; a failed feedback call fails its attempt")
    func failures() async throws {
        let tolerant = Self.lm([2: Self.oneWord], failing: [0, 1])
        let refine = Refine(try ChainOfThought("question -> answer"), n: 3, threshold: 1, reward: Self.isOneWord)
        #expect(try await withLM(tolerant) { try await refine(Self.question) }["answer"] == "Brussels")
        // A failed attempt gets no feedback.
        #expect(tolerant.requests.map(\.rolloutID) == [0, 1, 2])

        let strict = Refine(
            try ChainOfThought("question -> answer"), n: 3, threshold: 1, failCount: 0, reward: Self.isOneWord)
        await #expect(throws: LMError.self) {
            _ = try await withLM(Self.lm([2: Self.oneWord], failing: [0, 1])) { try await strict(Self.question) }
        }

        // The feedback call fails after attempts 0 and 1 (both below the threshold): the second failure is thrown.
        let noFeedback = Self.lm([:], feedbackFails: true)
        await #expect(throws: LMError.self) { _ = try await withLM(noFeedback) { try await strict(Self.question) } }
        #expect(noFeedback.requests.map(Self.isFeedback) == [false, true, false, true])
        // Tolerated, the attempts after a failed feedback call run without hints and the best is returned.
        let unhinted = Self.lm([:], feedbackFails: true)
        let prediction = try await withLM(unhinted) { try await refine(Self.question) }
        #expect(prediction["answer"] == "The capital of Belgium is Brussels.")
        #expect(
            unhinted.requests.allSatisfy { request in request.messages.allSatisfy { !$0.content.contains("hint_") } })

        let allFail = Refine(
            try ChainOfThought("question -> answer"), n: 2, threshold: 1, reward: Self.isOneWord)
        let error = await #expect(throws: ModuleError.self) {
            _ = try await withLM(Self.lm([:], failing: [0, 1])) { try await allFail(Self.question) }
        }
        #expect(error?.code == .allAttemptsFailed)
    }

    @Test("a rollout id already set is where the attempts start; the feedback call keeps it")
    func startsAtTheCurrentRolloutID() async throws {
        let lm = Self.lm([6: Self.oneWord])
        let refine = Refine(try ChainOfThought("question -> answer"), n: 3, threshold: 1, reward: Self.isOneWord)
        _ = try await LMContext.$rolloutID.withValue(5) { try await withLM(lm) { try await refine(Self.question) } }
        #expect(lm.requests.map(\.rolloutID) == [5, 5, 6])
    }
}
