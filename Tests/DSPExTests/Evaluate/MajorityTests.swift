import OrderedCollections
import Testing

@testable import DSPEx

/// DSPy's `majority`: the most common normalised value of a field, the first completion carrying it.
@Suite struct MajorityTests {
    static func prediction(_ answers: [String], field: String = "answer") -> Prediction {
        let completions = answers.map {
            OrderedDictionary(uniqueKeysWithValues: [("reasoning", Value.string("…")), (field, .string($0))])
        }
        return Prediction(completions[0], completions: completions)
    }

    @Test("the most common answer after DSPy's normalisation wins, as the first completion that has it")
    func normalisedVote() {
        let voted = majority(Self.prediction(["Lyon", "The paris.", "Paris", "PARIS!"]))
        #expect(voted["answer"] == "The paris.")  // "paris" three times; "The paris." is the first with it
        #expect(voted.completions.count == 1)
    }

    @Test("ties go to the value counted first; empty values do not vote unless all are empty")
    func tiesAndEmpties() {
        #expect(majority(Self.prediction(["b", "a", "a", "b"]))["answer"] == "b")
        #expect(majority(Self.prediction(["", "the", "x"]))["answer"] == "x")
        #expect(majority(Self.prediction(["", "a an"]))["answer"] == "")
    }

    @Test("the field defaults to the last one; another can be named; no normalisation compares raw text")
    func fieldAndNormalisation() {
        let prediction = Self.prediction(["Yes", "yes", "No"])
        #expect(majority(prediction)["answer"] == "Yes")
        #expect(majority(prediction, field: "reasoning")["reasoning"] == "…")
        #expect(majority(prediction, normalize: nil)["answer"] == "Yes")
    }
}
