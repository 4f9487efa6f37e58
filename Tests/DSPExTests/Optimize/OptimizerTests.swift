import DSPEx
import DSPExTesting
import Foundation
import Testing

/// Few-shot optimizers on the bundled arithmetic task, against the simulator (which answers correctly
/// with probability 0.5 + 0.1 per demo, capped at 0.95).
@Suite(.timeLimit(.minutes(3)))
struct OptimizerTests {
    static let root = PipelineRunTests.root

    static func load(_ name: String, limit: Int) async throws -> [Example] {
        let dataset = Dataset(
            url: root.appendingPathComponent("data/\(name)"),
            configuration: .init(inputKeys: ["question"], requiredFields: ["question", "answer"], limit: limit))
        return try await dataset.examples()
    }

    static func program(_ lm: any LanguageModel) throws -> Graph {
        try PipelineFile.load(path: root.appendingPathComponent("pipelines/arithmetic.yaml").path).makeGraph(lm: lm)
    }

    static func score(_ graph: Graph, on devset: [Example]) async throws -> Double {
        try await Evaluate(metric: .exactMatch()).evaluate(graph, on: ExampleList(devset)).score
    }

    @Test("LabeledFewShot gives every predictor k training examples, deterministically")
    func labeledFewShot() async throws {
        let trainset = try await Self.load("arithmetic_train.jsonl", limit: 50)
        let program = try Self.program(ScriptedLM(replies: []))
        let first = try await LabeledFewShot(k: 8, seed: 3).compile(program, trainset: trainset)
        let again = try await LabeledFewShot(k: 8, seed: 3).compile(program, trainset: trainset)
        let demos = try #require(first.namedPredictors.first?.state.demos)
        #expect(demos.count == 8)
        #expect(demos == again.namedPredictors.first?.state.demos)
        #expect(demos.allSatisfy { $0.inputKeys == ["question"] && $0["answer"] != nil })
    }

    @Test("BootstrapFewShot lifts the dev score from about 50% to at least 85%")
    func bootstrapLiftsScore() async throws {
        let trainset = try await Self.load("arithmetic_train.jsonl", limit: 60)
        let devset = try await Self.load("arithmetic_dev.jsonl", limit: 100)
        try await withSimulatedLM { lm, _ in
            let program = try Self.program(lm)
            let before = try await Self.score(program, on: devset)
            let optimized = try await BootstrapFewShot(metric: .exactMatch()).compile(program, trainset: trainset)
            let after = try await Self.score(optimized, on: devset)
            #expect(before > 0.35 && before < 0.65, "before: \(before)")
            #expect(after >= 0.85, "after: \(after)")
            let demos = try #require(optimized.namedPredictors.first?.state.demos)
            #expect(demos.count == 16)
            let augmented = demos.filter { $0["augmented"] == true }
            #expect(augmented.count == 4)
            // Bootstrapped demos are the teacher's accepted answers: correct sums.
            for demo in augmented {
                let question = demo["question"]?.stringValue ?? ""
                let numbers = question.split(whereSeparator: { !$0.isNumber && $0 != "-" }).compactMap { Int($0) }
                #expect(demo["answer"]?.intValue == numbers.reduce(0, +), "\(question)")
            }
        }
    }

    @Test("a teacher never sees the example it answers among its demos")
    func teacherExcludesOwnExample() async throws {
        let trainset = try await Self.load("arithmetic_train.jsonl", limit: 6)
        let lm = ScriptedLM { request in
            let user = request.messages.last?.content ?? ""
            let shown = request.messages.dropLast().map(\.content).joined()
            let question = user.components(separatedBy: "\n").dropFirst().first ?? ""
            #expect(!shown.contains(question), "the teacher saw its own example")
            return "[[ ## answer ## ]]\n0\n\n[[ ## completed ## ]]"
        }
        _ = try await BootstrapFewShot(metric: .exactMatch(), maxLabeledDemos: 6).compile(
            try Self.program(lm), trainset: trainset)
        #expect(lm.requests.count == 6)
    }
}

@Suite(.timeLimit(.minutes(3)))
struct RandomSearchTests {
    @Test("random search builds DSPy's candidates: zero-shot, labeled-only, unshuffled, then seeded shuffles")
    func candidateConstruction() {
        let search = BootstrapFewShotWithRandomSearch(
            metric: .exactMatch(), maxBootstrappedDemos: 4, numCandidatePrograms: 16)
        let candidates = search.candidates()
        #expect(candidates.count == 19)
        #expect(candidates.prefix(3).map(\.kind) == [.zeroShot, .labeledOnly, .unshuffled])
        #expect(candidates.map(\.seed) == Array(-3..<16))
        #expect(candidates.dropFirst(3).allSatisfy { $0.kind == .shuffled && (1...4).contains($0.bootstrappedDemos) })
        #expect(Set(candidates.dropFirst(3).map(\.bootstrappedDemos)).count > 1)
        #expect(candidates == search.candidates())
        let trainset = (0..<20).map { Example(["question": .string("q\($0)")], id: "\($0)") }
        #expect(search.trainset(for: candidates[2], from: trainset) == trainset)
        let shuffled = search.trainset(for: candidates[5], from: trainset)
        #expect(shuffled != trainset && Set(shuffled.map(\.id)) == Set(trainset.map(\.id)))
        #expect(shuffled == search.trainset(for: candidates[5], from: trainset))
    }

    @Test("random search keeps the best candidate, which beats the zero-shot program")
    func keepsBest() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 40)
        let valset = try await OptimizerTests.load("arithmetic_dev.jsonl", limit: 60)
        try await withSimulatedLM { lm, _ in
            let program = try OptimizerTests.program(lm)
            let before = try await OptimizerTests.score(program, on: valset)
            let optimized = try await BootstrapFewShotWithRandomSearch(metric: .exactMatch(), numCandidatePrograms: 4)
                .compile(program, trainset: trainset, valset: valset)
            let after = try await OptimizerTests.score(optimized, on: valset)
            #expect(after > before)
            #expect(after >= 0.85, "after: \(after)")
        }
    }
}
