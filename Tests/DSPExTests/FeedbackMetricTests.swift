import DSPEx
import DSPExTesting
import Synchronization
import Testing

/// Feedback metrics: DSPy's `(gold, pred, trace, pred_name, pred_trace)` convention, the default feedback text and
/// exact match's feedback.
@Suite struct FeedbackMetricTests {
    static let example = Example(["question": "What is 20 + 22?", "answer": 42], inputKeys: ["question"])

    @Test("a lifted metric keeps the score and gives DSPy's default feedback, the score printed as Python prints it")
    func liftedMetric() async throws {
        let lifted = FeedbackMetric(.exactMatch())
        #expect(lifted.name == "exact_match" && lifted.isLocal)
        let right = try await lifted(Self.example, Prediction(["answer": 42]))
        #expect(right == ScoreWithFeedback(score: 1, feedback: "This trajectory got a score of 1.0."))
        let wrong = try await lifted(Self.example, Prediction(["answer": 41]))
        #expect(wrong.feedback == "This trajectory got a score of 0.0.")
        let third = FeedbackMetric(.custom("third") { _, _ in 1.0 / 3.0 })
        #expect(
            try await third(Self.example, Prediction([:])).feedback
                == "This trajectory got a score of 0.3333333333333333.")
        #expect(FeedbackMetric.defaultFeedback(score: 0.5) == "This trajectory got a score of 0.5.")
        #expect(FeedbackMetric.defaultFeedback(score: 1e-05) == "This trajectory got a score of 1e-05.")
    }

    @Test("exact match's feedback names the expected and the produced answer")
    func exactMatchFeedback() async throws {
        let metric = FeedbackMetric.exactMatch()
        let wrong = try await metric(Self.example, Prediction(["answer": 41]))
        #expect(wrong == ScoreWithFeedback(score: 0, feedback: "The expected answer is 42; the program answered 41."))
        let right = try await metric(Self.example, Prediction(["answer": "42"]))
        #expect(
            right == ScoreWithFeedback(score: 1, feedback: "The program answered 42, which is the expected answer."))
        let missing = try await metric(Self.example, Prediction([:]))
        #expect(missing.feedback == "The expected answer is 42; the program gave no answer.")
        let several = try await FeedbackMetric.exactMatch()(
            Example(["answer": ["Paris", "Paris, France"]]), Prediction(["answer": "Lyon"]))
        #expect(several.feedback == "The expected answer is Paris or Paris, France; the program answered Lyon.")
        // The score is the plain metric's.
        #expect(try await metric.metric(Self.example, Prediction(["answer": "42.5"])) == 0)
        #expect(try await metric.metric(Self.example, Prediction(["answer": " 42 "])) == 1)
    }

    @Test("a custom metric receives the predictor name and traces; a nil feedback becomes the default text")
    func customMetric() async throws {
        let seen = Mutex<[String?]>([])
        let metric = FeedbackMetric("length") { _, prediction, trace, name, predictorTrace in
            seen.withLock { $0.append(name) }
            #expect((trace == nil) == (name == nil))
            #expect(predictorTrace?.count ?? 0 == (name == nil ? 0 : 1))
            let score = (prediction["answer"]?.plainText.count ?? 0) <= 2 ? 1.0 : 0.0
            return ScoreWithFeedback(score: score, feedback: name.map { "feedback for \($0)" })
        }
        #expect(!metric.isLocal)
        let plain = try await metric(Self.example, Prediction(["answer": 42]))
        #expect(plain == ScoreWithFeedback(score: 1, feedback: "This trajectory got a score of 1.0."))
        #expect(try await metric.metric(Self.example, Prediction(["answer": 4242])) == 0)
        #expect(seen.withLock { $0 } == [nil, nil])
    }

    @Test("f1, contains and numeric give the expected and the produced answer, and a partial score")
    func namedFeedback() async throws {
        let f1 = try FeedbackMetric.named("f1", field: nil, label: nil)
        let partial = try await f1(Example(["answer": "blue whale"]), Prediction(["answer": "whale shark"]))
        #expect(partial.score > 0 && partial.score < 1)
        #expect(
            partial.feedback
                == "The expected answer is blue whale; the program answered whale shark, which scores "
                + "\(Value.double(partial.score).pythonRepr) (f1).")
        let numeric = try FeedbackMetric.named("numeric", field: nil, label: nil)
        #expect(
            try await numeric(Self.example, Prediction(["answer": "42.0"])).feedback
                == "The program answered 42.0, which matches the expected answer 42 (numeric).")
        #expect(try await FeedbackMetric.named("em", field: nil, label: nil).name == "exact_match")
        #expect(throws: EvaluateError.self) { try FeedbackMetric.named("bleu", field: nil, label: nil) }
    }

    @Test("an LM judge with a feedback output explains its verdict; without one the feedback is DSPy's default")
    func judgedFeedback() async throws {
        let lm = ScriptedLM(replies: [
            "[[ ## correct ## ]]\nFalse\n\n[[ ## feedback ## ]]\nThe sum is off by one: carry the ten.\n\n"
                + "[[ ## completed ## ]]"
        ])
        let judge = try FeedbackMetric.judged(
            by: "question, gold_answer, predicted_answer -> correct: bool, feedback: str", lm: lm,
            inputs: ["gold_answer": .example("answer"), "predicted_answer": .prediction("answer")])
        let graded = try await judge(Self.example, Prediction(["answer": 41]))
        #expect(graded == ScoreWithFeedback(score: 0, feedback: "The sum is off by one: carry the ten."))
        #expect(lm.requests.count == 1)
        let plainLM = ScriptedLM(replies: ["[[ ## score ## ]]\n0.5\n\n[[ ## completed ## ]]"])
        let plain = try FeedbackMetric.judged(by: "question, answer -> score: float", lm: plainLM)
        #expect(
            try await plain(Self.example, Prediction(["answer": 40]))
                == ScoreWithFeedback(score: 0.5, feedback: "This trajectory got a score of 0.5."))
        // A missing judge input scores 0 without a call, and says which input.
        let missing = try await judge(Example(["question": "What is 1 + 1?"]), Prediction(["answer": 2]))
        #expect(missing.score == 0 && missing.feedback?.contains("'gold_answer'") == true)
        #expect(lm.requests.count == 1)
        #expect(throws: EvaluateError.self) { try FeedbackMetric.judged(by: "question -> feedback: str", lm: lm) }
    }

    @Test("a pipeline file's metric gives GEPA feedback: built-ins name the answers, a judge its feedback output")
    func pipelineFeedback() async throws {
        let yaml = """
            name: judged
            stages:
              - id: solve
                signature: "question -> answer: int"
                inputs: {question: input.question}
            outputs: {answer: solve.answer}
            metric:
              name: judge
              signature: "question, gold_answer: int, predicted_answer: int -> correct: bool, feedback: str"
              inputs: {gold_answer: example.answer, predicted_answer: prediction.answer}
            """
        let spec = try PipelineFile.parse(yaml, file: "judged.yaml", environment: [:])
        let lm = ScriptedLM(replies: [
            "[[ ## correct ## ]]\nFalse\n\n[[ ## feedback ## ]]\nCarry the one.\n\n[[ ## completed ## ]]"
        ])
        let judged = try spec.makeFeedbackMetric(lm: lm)
        #expect(try await judged(Self.example, Prediction(["answer": 41])).feedback == "Carry the one.")
        let f1 = try spec.makeFeedbackMetric(lm: lm, name: "f1")
        #expect(
            try await f1(Self.example, Prediction(["answer": 41])).feedback
                == "The expected answer is 42; the program answered 41, which scores 0.0 (f1).")
    }
}
