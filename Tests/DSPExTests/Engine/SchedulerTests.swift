import DSPEx
import DSPExTesting
import OrderedCollections
import Synchronization
import Testing

/// A language model for engine tests: answers `[[ ## <output> ## ]]` sections computed from the
/// prompt, counts calls in flight, and can fail or wait per question.
final class EngineTestLM: LanguageModel {
    let model = "engine-test"
    let inFlight = Mutex(0)
    let maxInFlight = Mutex(0)
    let calls = Mutex(0)
    let failing: Set<String>
    let delay: Duration

    init(failing: Set<String> = [], delay: Duration = .zero) {
        self.failing = failing
        self.delay = delay
    }

    func complete(_ request: LMRequest) async throws -> LMResponse {
        let now = inFlight.withLock { count -> Int in
            count += 1
            return count
        }
        maxInFlight.withLock { $0 = max($0, now) }
        calls.withLock { $0 += 1 }
        defer { inFlight.withLock { $0 -= 1 } }
        if delay > .zero { try await Task.sleep(for: delay) }
        let user = request.messages.last?.content ?? ""
        let question = EngineTestLM.section("question", in: user) ?? ""
        if failing.contains(question) { throw LMError(code: .httpStatus, message: "boom for \(question)", status: 400) }
        // Output names come from the reminder: `[[ ## name ## ]]` markers after "Respond with".
        let reminder = user.components(separatedBy: "Respond with").last ?? ""
        var reply = ""
        for name in EngineTestLM.markers(in: reminder) where name != "completed" {
            reply += "[[ ## \(name) ## ]]\n\(name)(\(question))\n\n"
        }
        return LMResponse(choices: [.init(text: reply + "[[ ## completed ## ]]")], usage: TokenUsage(promptTokens: 1))
    }

    static func markers(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "[[ ## "), let end = rest[start.upperBound...].range(of: " ## ]]") {
            names.append(String(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return names
    }

    static func section(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "[[ ## \(name) ## ]]\n") else { return nil }
        let rest = text[start.upperBound...]
        let end = rest.range(of: "\n\n")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }
}

/// An async sequence of examples for tests.
struct ExampleStream: AsyncSequence, Sendable {
    typealias Element = Example
    let examples: [Example]

    init(count: Int) {
        examples = (0..<count).map { Example(["question": .string("q\($0)")], inputKeys: ["question"], id: "e\($0)") }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: IndexingIterator<[Example]>
        mutating func next() async -> Example? { base.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: examples.makeIterator()) }
}

@Suite(.timeLimit(.minutes(3)))
struct SchedulerTests {
    /// solve(question) and explain(question) fan out from the input; check joins both (fan-in).
    static func diamond(_ lm: EngineTestLM, concurrency: Int = 4) throws -> Graph {
        try Graph(
            stages: [
                Stage(
                    "solve", try Predict("question -> answer", lm: lm), inputs: ["question": .input(field: "question")],
                    concurrency: concurrency),
                Stage(
                    "explain", try Predict("question -> method", lm: lm),
                    inputs: ["question": .input(field: "question")],
                    concurrency: concurrency),
                Stage(
                    "check", try Predict("question, answer, method -> verdict", lm: lm),
                    inputs: [
                        "question": .input(field: "question"), "answer": .stage(id: "solve", field: "answer"),
                        "method": .stage(id: "explain", field: "method"),
                    ], concurrency: concurrency),
            ],
            outputs: ["answer": .stage(id: "solve", field: "answer"), "verdict": .stage(id: "check", field: "verdict")])
    }

    @Test("fan-out and fan-in join each example's inputs by example")
    func fanOutFanIn() async throws {
        let lm = EngineTestLM()
        var results: [ExampleResult] = []
        let summary = try await Scheduler(graph: try Self.diamond(lm)).run(ExampleStream(count: 50)) {
            results.append($0)
        }
        #expect(summary.examples == 50)
        #expect(summary.errors == 0)
        #expect(summary.lmCalls == 150)
        #expect(lm.calls.withLock { $0 } == 150)
        for result in results {
            let question = result.example["question"]?.stringValue ?? ""
            #expect(result.outputs["answer"] == .string("answer(\(question))"))
            #expect(result.outputs["verdict"] == .string("verdict(\(question))"))
        }
        #expect(Set(results.map(\.index)) == Set(0..<50))
    }

    @Test("a failing example is recorded with its stage and the others go on")
    func errorIsolation() async throws {
        let lm = EngineTestLM(failing: ["q3", "q7"])
        var results: [Int: ExampleResult] = [:]
        let summary = try await Scheduler(graph: try Self.diamond(lm)).run(ExampleStream(count: 20)) {
            results[$0.index] = $0
        }
        #expect(summary.examples == 20)
        #expect(summary.errors == 2)
        #expect(results[3]?.error?.stage == "solve" || results[3]?.error?.stage == "explain")
        #expect(results[3]?.error?.message.contains("boom for q3") == true)
        #expect(results[3]?.outputs.isEmpty == true)
        #expect(results[4]?.error == nil)
        // solve and explain each fail on q3 and q7; check never runs for them.
        #expect(lm.calls.withLock { $0 } == 20 * 3 - 2)
    }

    @Test("a stage that fails after its calls still counts them: under that stage, in the example, in the totals")
    func failedStageCallsAreCounted() async throws {
        // The second stage's replies cannot be parsed: ChatAdapter's call and its JSON fallback both fail.
        let lm = ScriptedLM { request in
            let prompt = request.messages.map(\.content).joined()
            return prompt.contains("[[ ## b ## ]]") ? "garbage" : "[[ ## a ## ]]\nfine\n\n[[ ## completed ## ]]"
        }
        let graph = try Graph(
            stages: [
                Stage("first", try Predict("question -> a", lm: lm), inputs: ["question": .input(field: "question")]),
                Stage("second", try Predict("a -> b", lm: lm), inputs: ["a": .stage(id: "first", field: "a")]),
            ],
            outputs: ["b": .stage(id: "second", field: "b")])
        var results: [ExampleResult] = []
        let summary = try await Scheduler(graph: graph).run(ExampleStream(count: 6)) { results.append($0) }
        #expect(summary.errors == 6)
        #expect(summary.lmCalls == lm.requests.count)
        #expect(summary.lmCalls == 6 * 3)
        for result in results {
            #expect(result.error?.stage == "second")
            #expect(result.stageUsage["first"]?.lmCalls == 1)
            #expect(result.stageUsage["second"]?.lmCalls == 2)
            #expect(result.usage.lmCalls == 3)
        }
    }

    @Test("the run stops cleanly after maxErrors failures")
    func maxErrors() async throws {
        let failing = Set((0..<100).filter { $0 % 2 == 0 }.map { "q\($0)" })
        let lm = EngineTestLM(failing: failing)
        let graph = try Graph(
            stages: [
                Stage(
                    "solve", try Predict("question -> answer", lm: lm), inputs: ["question": .input(field: "question")],
                    concurrency: 2)
            ],
            outputs: ["answer": .stage(id: "solve", field: "answer")])
        let summary = try await Scheduler(graph: graph, configuration: .init(maxErrors: 3)).run(
            ExampleStream(count: 100)
        ) { _ in }
        #expect(summary.stopReason == .maxErrors)
        #expect(summary.errors == 4)
        #expect(summary.examples < 100)
    }

    @Test("ordered delivery follows dataset order")
    func ordered() async throws {
        let lm = EngineTestLM(delay: .milliseconds(1))
        var indices: [Int] = []
        _ = try await Scheduler(graph: try Self.diamond(lm, concurrency: 8), configuration: .init(ordered: true))
            .run(ExampleStream(count: 60)) { indices.append($0.index) }
        #expect(indices == Array(0..<60))
    }

    @Test("a slow sink bounds the examples in flight (backpressure reaches the source)")
    func slowSinkBoundsInFlight() async throws {
        let lm = EngineTestLM()
        let started = Counter()
        let graph = try Self.diamond(lm, concurrency: 8)
        var delivered = 0
        var worst = 0
        let scheduler = Scheduler(graph: graph, configuration: .init(channelCapacity: 2, maxInFlight: 6))
        _ = try await scheduler.run(CountingStream(count: 200, started: started)) { _ in
            delivered += 1
            worst = max(worst, started.current - delivered)
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(delivered == 200)
        // Examples read from the source but not yet delivered never exceed the in-flight bound (+1 being read).
        #expect(worst <= 7)
    }

    @Test("cancelling the run returns promptly with what finished")
    func cancellation() async throws {
        let lm = EngineTestLM(delay: .milliseconds(20))
        let graph = try Self.diamond(lm, concurrency: 4)
        let delivered = Mutex(0)
        let task = Task {
            try await Scheduler(graph: graph).run(ExampleStream(count: 10_000)) { _ in delivered.withLock { $0 += 1 } }
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let summary = try await task.value
        #expect(summary.stopReason == .cancelled)
        #expect(summary.examples == delivered.withLock { $0 })
        #expect(summary.examples < 10_000)
    }

    @Test("all stages work at once: a 3-stage pipeline takes about one stage's time, not three")
    func stagesOverlap() async throws {
        let lm = EngineTestLM(delay: .milliseconds(20))
        let graph = try Graph(
            stages: [
                Stage(
                    "a", try Predict("question -> x", lm: lm), inputs: ["question": .input(field: "question")],
                    concurrency: 10),
                Stage("b", try Predict("x -> y", lm: lm), inputs: ["x": .stage(id: "a", field: "x")], concurrency: 10),
                Stage("c", try Predict("y -> z", lm: lm), inputs: ["y": .stage(id: "b", field: "y")], concurrency: 10),
            ],
            outputs: ["z": .stage(id: "c", field: "z")])
        let summary = try await Scheduler(graph: graph).run(ExampleStream(count: 100)) { _ in }
        #expect(summary.errors == 0)
        // With stages one after another, at most one stage's 10 calls would ever be in flight together.
        // (Wall-time figures are in BENCHMARKS.md, not in unit tests.)
        #expect(lm.maxInFlight.withLock { $0 } > 10)
    }

    @Test("graph errors name the stage and field", arguments: GraphCase.all)
    func graphErrors(_ graphCase: GraphCase) throws {
        do {
            _ = try graphCase.build()
            Issue.record("\(graphCase.name) should be rejected")
        } catch let error as GraphError {
            #expect(error.code == graphCase.code, "\(graphCase.name): \(error)")
            #expect(error.stage == graphCase.stage, "\(graphCase.name): \(error)")
            #expect(error.message.contains(graphCase.phrase), "\(graphCase.name): \(error)")
        }
    }
}

/// A shared counter.
final class Counter: Sendable {
    let value = Mutex(0)
    var current: Int { value.withLock { $0 } }
    func increment() { value.withLock { $0 += 1 } }
}

/// An example stream that counts how many examples have been read.
struct CountingStream: AsyncSequence, Sendable {
    typealias Element = Example
    let count: Int
    let started: Counter

    struct AsyncIterator: AsyncIteratorProtocol {
        var index = 0
        let count: Int
        let started: Counter
        mutating func next() async -> Example? {
            guard index < count else { return nil }
            defer { index += 1 }
            started.increment()
            return Example(["question": .string("q\(index)")], inputKeys: ["question"], id: "e\(index)")
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(count: count, started: started) }
}

/// One invalid graph and the error it must produce.
struct GraphCase: Sendable, CustomTestStringConvertible {
    var name: String
    var code: GraphError.Code
    var stage: String?
    var phrase: String
    var build: @Sendable () throws -> Graph

    var testDescription: String { name }

    static func predict(_ signature: String) -> Predict<DynamicSignature> {
        (try? Predict(signature)) ?? Predict(Signature(inputs: [], outputs: []))
    }

    static let all: [GraphCase] = [
        GraphCase(name: "no stages", code: .empty, stage: nil, phrase: "at least one stage") {
            try Graph(stages: [], outputs: [:])
        },
        GraphCase(name: "duplicate id", code: .duplicateStage, stage: "a", phrase: "two stages") {
            try Graph(
                stages: [
                    Stage("a", predict("q -> x"), inputs: ["q": .input(field: "q")]),
                    Stage("a", predict("q -> y"), inputs: ["q": .input(field: "q")]),
                ], outputs: [:])
        },
        GraphCase(name: "unknown stage", code: .unknownStage, stage: "b", phrase: "'nope'") {
            try Graph(
                stages: [Stage("b", predict("x -> y"), inputs: ["x": .stage(id: "nope", field: "x")])], outputs: [:])
        },
        GraphCase(name: "unknown upstream field", code: .unknownField, stage: "b", phrase: "produces only x") {
            try Graph(
                stages: [
                    Stage("a", predict("q -> x"), inputs: ["q": .input(field: "q")]),
                    Stage("b", predict("z -> y"), inputs: ["z": .stage(id: "a", field: "zz")]),
                ], outputs: [:])
        },
        GraphCase(name: "binding not in signature", code: .unknownField, stage: "a", phrase: "not an input") {
            try Graph(
                stages: [Stage("a", predict("q -> x"), inputs: ["q": .input(field: "q"), "r": .input(field: "r")])],
                outputs: [:])
        },
        GraphCase(name: "unbound input", code: .unboundInput, stage: "a", phrase: "no source for its input 'r'") {
            try Graph(stages: [Stage("a", predict("q, r -> x"), inputs: ["q": .input(field: "q")])], outputs: [:])
        },
        GraphCase(name: "cycle", code: .cycle, stage: "a", phrase: "cycle") {
            try Graph(
                stages: [
                    Stage("a", predict("y -> x"), inputs: ["y": .stage(id: "b", field: "y")]),
                    Stage("b", predict("x -> y"), inputs: ["x": .stage(id: "a", field: "x")]),
                ], outputs: [:])
        },
        GraphCase(name: "type mismatch", code: .typeMismatch, stage: "b", phrase: "is int but 'a.x' is list[str]") {
            try Graph(
                stages: [
                    Stage("a", predict("q -> x: list[str]"), inputs: ["q": .input(field: "q")]),
                    Stage("b", predict("n: int -> y"), inputs: ["n": .stage(id: "a", field: "x")]),
                ], outputs: [:])
        },
        GraphCase(name: "output nobody produces", code: .unknownField, stage: "a", phrase: "does not produce") {
            try Graph(
                stages: [Stage("a", predict("q -> x"), inputs: ["q": .input(field: "q")])],
                outputs: ["z": .stage(id: "a", field: "z")])
        },
    ]
}
