import DSPEx
import Foundation
import OrderedCollections
import Testing

@Suite struct ModuleStateTests {
    @Test("a saved Predict has DSPy's layout")
    func savedPredictMatchesDSPy() throws {
        let fixture = try Fixtures.load("saved_predict.json")
        let demos: [Example] = [
            Example(["question": "What is 1 + 1?", "answer": 2]).withInputs("question"),
            Example(["question": "What is 3 * 3?", "answer": 9]).withInputs("question"),
        ]
        let predict = try Predict(
            "question -> answer: int", instructions: "Answer the arithmetic question.\nReturn only the number.",
            demos: demos)
        var saved = try #require(predict.savedState().objectValue)
        var expected = try #require(fixture.objectValue)
        #expect(saved.keys.elementsEqual(expected.keys))
        saved["metadata"] = nil
        expected["metadata"] = nil
        #expect(Value.object(saved) == Value.object(expected))
    }

    @Test("a saved ChainOfThought has DSPy's layout")
    func savedChainOfThoughtMatchesDSPy() throws {
        let fixture = try Fixtures.load("saved_cot.json")
        let demos: [Example] = [
            Example(["question": "What is 2 + 5?", "reasoning": "2 plus 5 is 7.", "answer": 7]),
            Example(["question": "What is 9 - 3?", "answer": 6]),
        ]
        let cot = try ChainOfThought("question -> answer: int", demos: demos)
        var saved = try #require(cot.savedState().objectValue)
        var expected = try #require(fixture.objectValue)
        saved["metadata"] = nil
        expected["metadata"] = nil
        #expect(Value.object(saved) == Value.object(expected))
    }

    @Test("a program saved by DSPy loads with its instructions and demos")
    func loadsDSPyProgram() throws {
        var predict = try Predict("question -> answer: int")
        try predict.loadState(try Fixtures.load("saved_predict.json"))
        #expect(predict.signature.instructions == "Answer the arithmetic question.\nReturn only the number.")
        #expect(predict.demos.count == 2)
        #expect(predict.demos[0]["answer"] == 2)
        #expect(predict.demos[0].inputKeys == ["question"])
    }

    @Test("save then load round-trips through a file and keeps DSPy's metadata shape")
    func roundTrip() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        var cot = try ChainOfThought("question -> answer", instructions: "Think.")
        cot.predict.demos = [Example(["question": "q", "reasoning": "r", "answer": "a"])]
        try cot.save(to: url)
        var loaded = try ChainOfThought("question -> answer")
        try loaded.load(from: url)
        #expect(loaded.predict.signature.instructions == "Think.")
        #expect(loaded.predict.demos == cot.predict.demos.map { Example($0.values, inputKeys: ["question"]) })
        let metadata = try Value(json: String(contentsOf: url, encoding: .utf8))["metadata"]
        #expect(metadata?["dependency_versions"] == [:])
    }

    @Test("a state for another program is refused with the predictor's name")
    func mismatchedStateIsRefused() throws {
        var cot = try ChainOfThought("question -> answer")
        #expect(throws: ModuleError.self) { try cot.loadState(["other": [:]]) }
        var predict = try Predict("a, b -> c")
        #expect(throws: ModuleError.self) { try predict.loadState(try Fixtures.load("saved_predict.json")) }
    }
}
