import DSPEx
import DSPExTesting
import Foundation
import OrderedCollections

/// A temporary store with an evaluation whose model replies are hostile (markup, a script), a second evaluation of
/// the same dataset that flips some examples, and a compile run with trials, candidates and a best program.
struct ConsoleFixture {
    /// A reply that must be shown as text and never run.
    static let hostileReply = "<script>window.__pwned = true</script><img src=x onerror=\"window.__pwned=true\">"

    let store: SQLiteStore

    /// Examples "What is i + 1?" with answer i + 1; example 3's question carries markup too.
    static func devset(_ count: Int) -> [Example] {
        (0..<count).map { index in
            let question = index == 3 ? "What is 3 + 1? <b>bold</b>" : "What is \(index) + 1?"
            return Example(
                ["question": .string(question), "answer": .int(index + 1)], inputKeys: ["question"], id: "ex\(index)")
        }
    }

    /// Answers right for even numbers (and all of them when `fixed`), wrongly for odd ones, and with the hostile
    /// reply for example 2.
    static func lm(fixed: Bool = false) -> ScriptedLM {
        ScriptedLM { request in
            let user = request.messages.last?.content ?? ""
            if user.contains("What is 2 + 1?") { return hostileReply }
            let number =
                Int(user.components(separatedBy: "What is ").last?.components(separatedBy: " +").first ?? "") ?? 0
            let answer = number % 2 == 0 || fixed ? number + 1 : number + 2
            return "[[ ## answer ## ]]\n\(answer)\n\n[[ ## completed ## ]]"
        }
    }

    static func graph(_ lm: any LanguageModel) throws -> Graph {
        try additionGraph(lm)
    }

    /// Evaluates `count` examples as run `name`.
    static func evaluate(_ name: String, count: Int, fixed: Bool = false, in store: SQLiteStore) async throws {
        _ = try await Evaluate(metric: .exactMatch(), store: store).evaluate(
            try graph(lm(fixed: fixed)), on: ExampleList(devset(count)),
            run: Evaluate.Run(
                name: name, pipeline: "pipelines/<arith>.yaml", programHash: "p-\(name)", datasetHash: "d1",
                config: ["metric": "em"], resume: false))
    }

    /// A compile run with three minibatch and two full trials, a candidate, and a best program.
    static func compileRun(_ name: String, running: Bool = false, in store: SQLiteStore) throws {
        let run = try store.createRun(
            name: name, kind: RunRecord.Kind.compile, pipeline: "pipelines/arith.yaml", pipelineHash: "c",
            datasetHash: "d1", config: "{}")
        let id = try require(run.id, "run id")
        let trials: [(Int, String, Double)] = [
            (1, "minibatch", 0.4), (2, "minibatch", 0.6), (3, "full", 0.55), (4, "minibatch", 0.8), (5, "full", 0.7),
        ]
        for (number, kind, score) in trials {
            let value: Value = [
                "number": .int(number), "kind": .string(kind), "score": .double(score),
                "examples": .int(kind == "full" ? 20 : 5), "params": ["instruction_solve": .int(number % 2)],
            ]
            try store.saveCompileStep(
                CompileStepRecord(runId: id, key: "trial/\(String(format: "%04d", number))", value: value.jsonString()))
        }
        try store.saveCompileStep(
            CompileStepRecord(
                runId: id, key: "candidate/instructions/solve",
                value: Value.array(["Answer the sum.", "<script>alert(1)</script> Add carefully."]).jsonString()))
        _ = try store.saveProgram(
            name: name, json: #"{"solve": {"demos": [], "signature": {"instructions": "Add carefully."}}}"#, runID: id)
        guard !running else { return }
        var totals = StoredTotals(examples: 20, lmCalls: 140, promptTokens: 52_000, completionTokens: 2_100)
        totals.bestScore = 0.7
        try store.updateRun(id: id, status: RunRecord.Status.completed, totals: totals)
    }

    /// The fixture: eval runs `base` (10 examples) and `fixed` (the odd ones now right), compile run `opt`.
    static func make() async throws -> ConsoleFixture {
        let store = try SQLiteStore.temporary()
        try await evaluate("base", count: 10, in: store)
        try await evaluate("fixed", count: 10, fixed: true, in: store)
        try compileRun("opt", in: store)
        return ConsoleFixture(store: store)
    }
}

/// `#require` outside a test: a thrown error.
func require<T>(_ value: T?, _ what: String = "value") throws -> T {
    guard let value else { throw ConsoleFixtureError(message: "missing \(what)") }
    return value
}

struct ConsoleFixtureError: Error { var message: String }
