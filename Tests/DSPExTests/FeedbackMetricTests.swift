import DSPEx
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
}
