import OrderedCollections
import Synchronization

/// Finds the training examples most similar to a set of inputs by embedding similarity — DSPy's `dspy.KNN`, the
/// retriever behind ``KNNFewShot``.
///
/// As in DSPy, a training example is embedded as `"key: value | key: value"` over its input keys (in the example's
/// order), a query as the same over the inputs it is given (in their order), and similarity is the dot product of
/// the two vectors (cosine similarity for the unit vectors embedding models return). Values are written as Python's
/// `str` writes them: a string as itself, anything else as its Python `repr`.
///
/// The training vectors are computed once, on first use rather than in the initializer (DSPy embeds the trainset
/// when the retriever is made): by one caller, in the embedder's concurrent batches, while concurrent callers wait
/// for them. A failed computation is not kept: the next call tries again.
///
/// **Order.** DSPy takes `scores.argsort()[-k:][::-1]`: the k highest scores, highest first. NumPy's default
/// `argsort` is not stable — on x86-64 with AVX2, NumPy 2.4 ranks tied scores in no documented order, even for six
/// elements — so DSPy's order among equal scores depends on the machine. DSPEx fixes it as a stable sort does
/// (`argsort(kind="stable")[-k:][::-1]`): among equal scores, the example later in the trainset comes first. Scores
/// are `Float` dot products, as NumPy's on DSPy's float32 vectors; `k` beyond the trainset returns all of it, and
/// `k` of 0 returns nothing (DSPy's `[-0:]` would return everything).
///
/// ```swift
/// let knn = KNN(k: 3, trainset: trainset, embedder: embedder)
/// let nearest = try await knn(["question": "What is 519 + 29?"])   // 3 examples, most similar first
/// ```
public struct KNN: Sendable {
    /// How many examples a query returns.
    public let k: Int
    /// The examples searched.
    public let trainset: [Example]
    /// What turns texts into vectors.
    public let embedder: any Embedder
    private let vectors = TrainVectors()

    /// Creates a retriever; nothing is embedded until the first query.
    ///
    /// - Parameters:
    ///   - k: How many nearest examples to return.
    ///   - trainset: The examples to search; their input keys are what is compared.
    ///   - embedder: The embedding model (DSPy's `vectorizer`).
    public init(k: Int, trainset: [Example], embedder: any Embedder) {
        self.k = k
        self.trainset = trainset
        self.embedder = embedder
    }

    /// The `k` training examples nearest to `inputs`, nearest first.
    ///
    /// - Throws: ``ModuleError`` for a training example without input keys; the embedder's error; ``LMError`` with
    ///   ``LMError/Code/invalidResponse`` when the embedder returns the wrong number or size of vectors.
    public func callAsFunction(_ inputs: OrderedDictionary<String, Value>) async throws -> [Example] {
        guard k > 0, !trainset.isEmpty else { return [] }
        let train = try await trainVectors()
        let query = try await embedder.embed([Self.text(of: inputs)])
        guard query.count == 1, let vector = query.first else {
            throw LMError(code: .invalidResponse, message: "the embedder returned \(query.count) vectors for 1 text")
        }
        var scores: [Float] = []
        scores.reserveCapacity(train.count)
        for row in train {
            guard row.count == vector.count else {
                throw LMError(
                    code: .invalidResponse,
                    message: "the embedder returned a query vector of \(vector.count) components for training "
                        + "vectors of \(row.count)")
            }
            scores.append(Self.dot(row, vector))
        }
        return Self.topIndices(scores, k: k).map { trainset[$0] }
    }

    /// The training examples' vectors, in trainset order: computed on the first call, then kept.
    public func trainVectors() async throws -> [[Float]] {
        try await vectors.get { [trainset, embedder] in
            let texts = try trainset.map { example in
                guard !example.inputKeys.isEmpty else {
                    throw ModuleError(
                        code: .missingInput,
                        message: "training example '\(example.id)' has no input keys for KNN to compare; mark them "
                            + "with withInputs(_:)")
                }
                return Self.text(of: example.values.filter { example.inputKeys.contains($0.key) })
            }
            let embedded = try await embedder.embed(texts)
            guard embedded.count == texts.count else {
                throw LMError(
                    code: .invalidResponse,
                    message: "the embedder returned \(embedded.count) vectors for \(texts.count) training examples")
            }
            return embedded
        }
    }

    /// How many callers wait for another's computation of the training vectors (for tests of the single flight).
    var trainVectorWaiters: Int { vectors.waiting }

    /// The text DSPy embeds for values: `"key: value | key: value"`, each value as Python's `str` writes it.
    ///
    /// ```swift
    /// KNN.text(of: ["question": "What is 2 + 3?", "n": 2])   // "question: What is 2 + 3? | n: 2"
    /// ```
    public static func text(of values: OrderedDictionary<String, Value>) -> String {
        values.map { key, value in "\(key): \(value.stringValue ?? value.pythonRepr)" }.joined(separator: " | ")
    }

    /// The indices of the `k` highest scores, highest first, equal scores later index first: what
    /// `scores.argsort(kind="stable")[-k:][::-1]` gives.
    static func topIndices(_ scores: [Float], k: Int) -> [Int] {
        let ranked = scores.indices.sorted { left, right in
            scores[left] != scores[right] ? scores[left] > scores[right] : left > right
        }
        return Array(ranked.prefix(max(0, k)))
    }

    /// The dot product in single precision.
    static func dot(_ left: [Float], _ right: [Float]) -> Float {
        var sum: Float = 0
        for index in left.indices { sum += left[index] * right[index] }
        return sum
    }
}

extension KNN {
    /// A value computed once by one caller while concurrent callers wait for it (single flight). A failure is
    /// shared with the waiters and not kept; a cancelled computation hands the work to a waiter, and a waiter's own
    /// cancellation makes only that waiter throw.
    final class TrainVectors: Sendable {
        private enum Outcome: Sendable {
            case vectors([[Float]])
            case failure(any Error)
            case retry
        }

        private enum Join {
            case ready([[Float]])
            case lead
            case wait(UInt64)
        }

        private struct State {
            var vectors: [[Float]]?
            var computing = false
            var waiters: [UInt64: CheckedContinuation<Outcome, Never>] = [:]
            var nextWaiter: UInt64 = 0
        }

        private let state = Mutex(State())

        /// How many callers wait for the running computation.
        var waiting: Int { state.withLock { $0.waiters.count } }

        /// The vectors: kept ones, the running computation's, or `compute`'s when none runs.
        func get(_ compute: @Sendable () async throws -> [[Float]]) async throws -> [[Float]] {
            while true {
                let join = state.withLock { state -> Join in
                    if let vectors = state.vectors { return .ready(vectors) }
                    guard state.computing else {
                        state.computing = true
                        return .lead
                    }
                    state.nextWaiter += 1
                    return .wait(state.nextWaiter)
                }
                switch join {
                case .ready(let vectors):
                    return vectors
                case .lead:
                    return try await lead(compute)
                case .wait(let id):
                    switch await wait(id) {
                    case .vectors(let vectors): return vectors
                    case .failure(let error): throw error
                    case .retry: try Task.checkCancellation()
                    }
                }
            }
        }

        private func lead(_ compute: @Sendable () async throws -> [[Float]]) async throws -> [[Float]] {
            let result: Result<[[Float]], any Error>
            do {
                result = .success(try await compute())
            } catch {
                result = .failure(error)
            }
            let waiters = state.withLock { state -> [CheckedContinuation<Outcome, Never>] in
                if case .success(let vectors) = result { state.vectors = vectors }
                state.computing = false
                defer { state.waiters = [:] }
                return Array(state.waiters.values)
            }
            let outcome: Outcome
            switch result {
            case .success(let vectors): outcome = .vectors(vectors)
            case .failure(let error) where error is CancellationError || (error as? LMError)?.code == .cancelled:
                outcome = .retry
            case .failure(let error): outcome = .failure(error)
            }
            for waiter in waiters { waiter.resume(returning: outcome) }
            return try result.get()
        }

        private func wait(_ id: UInt64) async -> Outcome {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                    let registered = state.withLock { state -> Bool in
                        guard state.computing, !Task.isCancelled else { return false }
                        state.waiters[id] = continuation
                        return true
                    }
                    if !registered { continuation.resume(returning: .retry) }
                }
            } onCancel: {
                state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: .retry)
            }
        }
    }
}
