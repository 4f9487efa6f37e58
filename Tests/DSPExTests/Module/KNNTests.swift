import OrderedCollections
import Synchronization
import Testing

@testable import DSPEx

/// An embedder for tests: vectors from a table (or a rule), every call recorded, and an optional hook that runs
/// before each call (to hold it at a gate or make it fail).
final class ScriptedEmbedder: Embedder {
    private let vector: @Sendable (String) -> [Float]
    private let before: @Sendable ([String]) async throws -> Void
    private let recorded = Mutex<[[String]]>([])

    init(
        before: @escaping @Sendable ([String]) async throws -> Void = { _ in },
        vector: @escaping @Sendable (String) -> [Float]
    ) {
        self.before = before
        self.vector = vector
    }

    /// Answers from `table`; a text not in it gets a zero vector of the table's length.
    convenience init(_ table: [String: [Float]], before: @escaping @Sendable ([String]) async throws -> Void = { _ in })
    {
        let length = table.values.first?.count ?? 1
        self.init(before: before) { table[$0] ?? [Float](repeating: 0, count: length) }
    }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        recorded.withLock { $0.append(texts) }
        try await before(texts)
        return texts.map(vector)
    }

    /// Every call's texts, in order.
    var calls: [[String]] { recorded.withLock { $0 } }
}

/// Holds callers until opened.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state -> Bool in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

@Suite(.timeLimit(.minutes(3)))
struct KNNTests {
    static func questions(_ count: Int) -> [Example] {
        (0..<count).map { Example(["question": .string("q\($0)"), "answer": .int($0)]).withInputs("question") }
    }

    @Test("a training example is embedded as DSPy writes it: 'key: value | …' over its input keys, values as str()")
    func texts() async throws {
        let trainset = [
            Example(["question": "What is 2 + 3?", "answer": "5", "hint": 3]).withInputs("question", "hint"),
            Example(["flag": true, "context": ["a", "b"], "gold": nil]).withInputs("context", "flag"),
        ]
        let embedder = ScriptedEmbedder { _ in [1] }
        let knn = KNN(k: 1, trainset: trainset, embedder: embedder)
        _ = try await knn(["question": "What is 1 + 1?", "n": 2.5, "none": nil])
        #expect(
            embedder.calls == [
                ["question: What is 2 + 3? | hint: 3", "flag: True | context: ['a', 'b']"],
                ["question: What is 1 + 1? | n: 2.5 | none: None"],
            ])
        // The training vectors are computed once.
        _ = try await knn(["question": "again"])
        #expect(embedder.calls.count == 3)
        #expect(embedder.calls[2] == ["question: again"])
    }

    @Test("the nearest examples by dot product come first")
    func nearestByConstruction() async throws {
        let trainset = Self.questions(4)
        let embedder = ScriptedEmbedder([
            "question: q0": [1, 0, 0], "question: q1": [0, 1, 0], "question: q2": [0.6, 0.8, 0],
            "question: q3": [0, 0, 1], "question: near q1": [0.1, 0.9, 0.1],
        ])
        let nearest = try await KNN(k: 2, trainset: trainset, embedder: embedder)(["question": "near q1"])
        #expect(nearest.map(\.id) == [trainset[1].id, trainset[2].id])
        #expect(nearest[0]["answer"] == 1)
    }

    @Test("the order is DSPy's scores.argsort()[-k:][::-1] (expected indices from NumPy 2.4, float32)")
    func dspyOrder() async throws {
        // rng = numpy.random.default_rng(7); vectors rounded to 2 decimals; NumPy's answers for k = 5.
        let train: [[Float]] = [
            [0.25, 0.79, 0.55, -0.55], [-0.4, 0.75, -0.99, 0.64], [0.59, -0.06, -0.39, -0.44],
            [-0.49, -0.11, 0.01, 0.11], [0.99, 0.59, 0.24, 0.98], [-0.57, -0.68, 0.23, -0.91],
            [-0.93, 0.03, -0.07, 0.83], [0.26, 0.03, -0.01, -0.5], [-0.98, -0.62, 0.38, -0.6],
            [-0.26, -0.99, 0.66, -0.69], [-0.46, 0.76, 0.02, 0.69], [0.28, 0.48, -0.82, 0.08],
        ]
        let queries: [[Float]] = [[0.02, 0.74, -0.28, 0.2], [-0.88, -0.22, -0.35, -0.7], [0.63, -0.24, 0.96, 0.18]]
        let numpy = [[1, 10, 11, 4, 0], [8, 5, 9, 3, 6], [4, 9, 0, 7, 2]]
        var table: [String: [Float]] = [:]
        for (index, vector) in train.enumerated() { table["question: q\(index)"] = vector }
        for (index, vector) in queries.enumerated() { table["question: query \(index)"] = vector }
        let trainset = Self.questions(train.count)
        let knn = KNN(k: 5, trainset: trainset, embedder: ScriptedEmbedder(table))
        for (index, expected) in numpy.enumerated() {
            let nearest = try await knn(["question": .string("query \(index)")])
            #expect(nearest.map { $0["answer"]?.intValue ?? -1 } == expected)
        }
    }

    @Test("ties rank as a stable argsort would: the later example first; k beyond the trainset returns it all")
    func ties() async throws {
        // NumPy's default argsort gives [5, 3, 0] here on x86-64 with AVX2; kind="stable" gives [5, 3, 2].
        let scores: [Float] = [1, 0, 1, 1, 0.5, 1]
        var table: [String: [Float]] = ["question: query": [1]]
        for (index, score) in scores.enumerated() { table["question: q\(index)"] = [score] }
        let trainset = Self.questions(scores.count)
        let embedder = ScriptedEmbedder(table)
        let answers = { (k: Int) in
            try await KNN(k: k, trainset: trainset, embedder: embedder)(["question": "query"]).map {
                $0["answer"]?.intValue ?? -1
            }
        }
        #expect(try await answers(3) == [5, 3, 2])
        #expect(try await answers(10) == [5, 3, 2, 0, 4, 1])
        #expect(try await answers(0) == [])
        #expect(KNN.topIndices([], k: 3) == [])
    }

    @Test("concurrent first queries wait for one computation of the training vectors")
    func singleFlight() async throws {
        let gate = Gate()
        let embedder = ScriptedEmbedder(before: { texts in if texts.count > 1 { await gate.wait() } }) { text in
            [Float(text.count)]
        }
        let knn = KNN(k: 2, trainset: Self.questions(5), embedder: embedder)
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask { try await knn(["question": .string("query \(index)")]).count }
            }
            while knn.trainVectorWaiters < 19 || embedder.calls.isEmpty { await Task.yield() }
            gate.open()
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: 2, count: 20))
        #expect(embedder.calls.filter { $0.count > 1 }.count == 1)
        #expect(embedder.calls.count == 21)
    }

    @Test("a failed computation is shared with the waiters and not kept: the next query tries again")
    func failureNotKept() async throws {
        struct Refused: Error {}
        let failures = Mutex(1)
        let embedder = ScriptedEmbedder(before: { texts in
            if texts.count > 1,
                failures.withLock({ count in
                    defer { count -= 1 }; return count > 0
                })
            {
                throw Refused()
            }
        }) { _ in [1] }
        let knn = KNN(k: 1, trainset: Self.questions(3), embedder: embedder)
        await #expect(throws: Refused.self) { try await knn(["question": "x"]) }
        #expect(try await knn(["question": "x"]).count == 1)
    }

    @Test("a training example without input keys, or an embedder giving the wrong vectors, is an error that says so")
    func errors() async throws {
        let unmarked = KNN(
            k: 1, trainset: [Example(["question": "q"], id: "row-7")], embedder: ScriptedEmbedder { _ in [1] })
        let missing = try await #require(throws: ModuleError.self) { try await unmarked(["question": "x"]) }
        #expect(missing.code == .missingInput && missing.message.contains("row-7"))
        let short = KNN(
            k: 1, trainset: Self.questions(2), embedder: ScriptedEmbedder { $0.contains("query") ? [1, 2] : [1] })
        let mismatch = try await #require(throws: LMError.self) { try await short(["question": "query"]) }
        #expect(mismatch.code == .invalidResponse && mismatch.message.contains("2 components"))
        #expect(try await KNN(k: 3, trainset: [], embedder: ScriptedEmbedder { _ in [1] })(["question": "x"]) == [])
    }
}
