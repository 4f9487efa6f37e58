import DSPExTesting
import Foundation
import Testing

@testable import DSPEx

/// DSPy's BestOfN: attempts under successive rollout ids at temperature 1.0, the first reaching the threshold wins,
/// else the best; failures tolerated up to `failCount`; only the chosen attempt's calls in the trace.
@Suite struct BestOfNTests {
    /// Answers by rollout id: `answers[rolloutID]`, or throws for the ids in `failing`.
    static func lm(_ answers: [Int: String], failing: Set<Int> = []) -> ScriptedLM {
        ScriptedLM { request in
            let rollout = request.rolloutID ?? -1
            if failing.contains(rollout) { throw LMError(code: .httpStatus, message: "500", status: 500) }
            return "[[ ## answer ## ]]\n\(answers[rollout] ?? "none")\n\n[[ ## completed ## ]]"
        }
    }

    static let isParis: BestOfN.Reward = { _, prediction in prediction["answer"]?.plainText == "Paris" ? 1 : 0 }

    @Test("the first attempt reaching the threshold wins; rollout ids 0, 1, … at temperature 1.0")
    func firstPassingAttemptWins() async throws {
        let lm = Self.lm([0: "Lyon", 1: "Paris", 2: "Paris"])
        let best = BestOfN(try Predict("question -> answer", lm: lm), n: 3, threshold: 1.0, reward: Self.isParis)
        let (prediction, trace) = try await withTrace { try await best(["question": "Capital of France?"]) }
        #expect(prediction["answer"] == "Paris")
        #expect(lm.requests.map(\.rolloutID) == [0, 1])
        #expect(lm.requests.allSatisfy { $0.temperature == 1.0 })
        #expect(trace.count == 1)
        #expect(prediction.usage.lmCalls == 2)
    }

    @Test("attempts sample at 1.0 even when the run's settings give the predictor temperature 0")
    func samplesOverTheRunsTemperature() async throws {
        let lm = Self.lm([0: "Lyon", 1: "Paris"])
        let predict = try Predict("question -> answer", lm: lm, options: LMOptions(temperature: 0))
        let best = BestOfN(predict, n: 2, threshold: 1.0, reward: Self.isParis)
        #expect(try await best(["question": "Capital of France?"])["answer"] == "Paris")
        #expect(lm.requests.map(\.temperature) == [1.0, 1.0])
        _ = try await predict(["question": "Capital of France?"])
        #expect(lm.requests.last?.temperature == 0)
    }

    @Test("when no attempt reaches the threshold, the best one is returned after n attempts")
    func bestWhenNonePasses() async throws {
        let lm = Self.lm([0: "a", 1: "abcd", 2: "ab"])
        let longest = BestOfN(try Predict("question -> answer", lm: lm), n: 3, threshold: 10) { _, prediction in
            Double(prediction["answer"]?.plainText.count ?? 0)
        }
        #expect(try await longest(["question": "q"])["answer"] == "abcd")
        #expect(lm.requests.count == 3)
    }

    @Test("failed attempts are skipped by default; with failCount 0 the second failure is thrown, as in DSPy")
    func failures() async throws {
        let lm = Self.lm([2: "Paris"], failing: [0, 1])
        let tolerant = BestOfN(try Predict("question -> answer", lm: lm), n: 3, threshold: 1, reward: Self.isParis)
        #expect(try await tolerant(["question": "q"])["answer"] == "Paris")
        let strict = BestOfN(
            try Predict("question -> answer", lm: Self.lm([2: "Paris"], failing: [0, 1])), n: 3, threshold: 1,
            failCount: 0, reward: Self.isParis)
        await #expect(throws: LMError.self) { _ = try await strict(["question": "q"]) }
        let allFail = BestOfN(
            try Predict("question -> answer", lm: Self.lm([:], failing: [0, 1])), n: 2, threshold: 1,
            reward: Self.isParis)
        await #expect(throws: ModuleError.self) { _ = try await allFail(["question": "q"]) }
    }

    @Test("a rollout id already set is where the attempts start")
    func startsAtTheCurrentRolloutID() async throws {
        let lm = Self.lm([5: "Paris"])
        let best = BestOfN(try Predict("question -> answer", lm: lm), n: 3, threshold: 1, reward: Self.isParis)
        _ = try await LMContext.$rolloutID.withValue(5) { try await best(["question": "q"]) }
        #expect(lm.requests.map(\.rolloutID) == [5])
    }
}
