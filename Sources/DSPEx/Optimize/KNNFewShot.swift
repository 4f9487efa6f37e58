import OrderedCollections

/// Picks demos per input by embedding similarity — DSPy's `KNNFewShot`: for each call, the `k` training examples
/// nearest to the inputs (``KNN``) are the trainset of a ``BootstrapFewShot`` run whose demos the student then
/// answers with.
///
/// ``compile(_:signature:)`` returns a ``Program``, a module like any other: it runs in a ``Stage`` on the engine,
/// many examples at once (the training vectors are embedded once, by the first call, while the others wait), and its
/// named predictors are the student's. As in DSPy the returned program starts from a copy of the student whose demos
/// are cleared, and the demos chosen for an input exist only during that call: they are not part of its
/// ``Module/namedPredictors`` nor of its saved state (``Module/savedState()``), which holds the student's
/// instructions and no demos.
///
/// Each call bootstraps afresh, with an in-memory journal: the teacher (the student with the neighbours as labeled
/// demos) runs on the neighbours until `maxBootstrappedDemos` are accepted, so a call costs up to `k` more model
/// calls before the student's — answered from the model's cache when the same teacher prompt comes again. Every
/// call, the embedder's included, is recorded in the current ``UsageScope`` and in the prediction's usage.
///
/// With no metric every teacher run that completes is accepted (DSPy's `metric=None`).
///
/// ```swift
/// let knnFewShot = KNNFewShot(k: 3, trainset: trainset, embedder: embedder)
/// let program = try knnFewShot.compile(try Predict("question -> answer: int", lm: lm))
/// let prediction = try await program(["question": "What is 519 + 29?"])   // answered with 3 nearby demos
/// ```
public struct KNNFewShot: Sendable {
    /// Finds the neighbours of each input.
    public var knn: KNN
    /// The optimizer run on the neighbours of each input (its trainset is theirs).
    public var bootstrap: BootstrapFewShot

    /// Creates the optimizer with DSPy's `KNNFewShot(k, trainset, vectorizer, **few_shot_bootstrap_args)` and
    /// ``BootstrapFewShot``'s defaults.
    ///
    /// - Parameters:
    ///   - k: How many nearest training examples each call bootstraps from.
    ///   - trainset: The examples searched; their input keys are what is compared.
    ///   - embedder: The embedding model (DSPy's `vectorizer`).
    ///   - metric: Accepts the teacher's traces; `nil` accepts every completed run.
    ///   - metricThreshold: The score a trace needs; `nil` accepts any score above 0.
    ///   - maxBootstrappedDemos: The most bootstrapped demos per predictor.
    ///   - maxLabeledDemos: The most demos per predictor in all.
    ///   - maxRounds: Bootstrap passes over the neighbours.
    ///   - concurrency: The teacher's neighbours run at once per call.
    ///   - seed: The seed for picking labeled demos.
    public init(
        k: Int, trainset: [Example], embedder: any Embedder, metric: Metric? = nil, metricThreshold: Double? = nil,
        maxBootstrappedDemos: Int = 4, maxLabeledDemos: Int = 16, maxRounds: Int = 1, concurrency: Int = 16,
        seed: UInt64 = 0
    ) {
        self.init(
            k: k, trainset: trainset, embedder: embedder,
            bootstrap: BootstrapFewShot(
                metric: metric ?? Self.acceptsCompletedRuns, metricThreshold: metricThreshold,
                maxBootstrappedDemos: maxBootstrappedDemos, maxLabeledDemos: maxLabeledDemos, maxRounds: maxRounds,
                concurrency: concurrency, seed: seed))
    }

    /// Creates the optimizer with a configured ``BootstrapFewShot``.
    public init(k: Int, trainset: [Example], embedder: any Embedder, bootstrap: BootstrapFewShot) {
        knn = KNN(k: k, trainset: trainset, embedder: embedder)
        self.bootstrap = bootstrap
    }

    /// DSPy's `metric=None`: every teacher run that completes scores 1.
    static let acceptsCompletedRuns = Metric(name: "none", isLocal: true) { _, _ in 1 }

    /// The student answering with its input's nearest demos; DSPy's `compile(student)`.
    ///
    /// - Parameters:
    ///   - student: The module; its demos are cleared in the returned program (DSPy's `reset_copy`), its language
    ///     model and options are kept.
    ///   - signature: The student's inputs and outputs; by default its first predictor's signature (give it for a
    ///     module such as ``ReAct`` whose first predictor has another one).
    /// - Throws: ``ModuleError`` when the student has no predictor and no signature is given.
    public func compile(_ student: any Module, signature: Signature? = nil) throws -> Program {
        var copy = student
        for predictor in student.namedPredictors {
            var state = predictor.state
            state.demos = []
            try copy.setPredictorState(state, named: predictor.name)
        }
        guard let signature = signature ?? student.namedPredictors.first?.state.signature else {
            throw ModuleError(
                code: .unknownPredictor,
                message: "KNNFewShot needs the student's signature: it has no predictor, so pass signature:")
        }
        return Program(student: copy, signature: signature, knn: knn, bootstrap: bootstrap)
    }

    /// The program ``KNNFewShot/compile(_:signature:)`` returns: the student, bootstrapped per call on the
    /// neighbours of the call's inputs.
    public struct Program: Module {
        /// The student, with the demos it was compiled with cleared.
        public var student: any Module
        /// The student's inputs and outputs.
        public let signature: Signature
        /// Finds the neighbours of each input.
        public let knn: KNN
        /// The optimizer run on the neighbours.
        public let bootstrap: BootstrapFewShot

        /// The student's predictors, without per-call demos.
        public var namedPredictors: [NamedPredictor] { student.namedPredictors }

        /// Replaces the student's predictor state (instructions, fields; demos given here are replaced per call).
        public mutating func setPredictorState(_ state: PredictorState, named name: String) throws {
            try student.setPredictorState(state, named: name)
        }

        /// Finds the `k` nearest training examples, bootstraps the student on them, and runs the result on `inputs`.
        public func forward(_ inputs: OrderedDictionary<String, Value>) async throws -> Prediction {
            let started = ContinuousClock.now
            var (prediction, usage) = try await withUsageScope {
                let compiled = try await bootstrap.compile(try studentGraph(), trainset: try await knn(inputs))
                guard let module = compiled.stages.first?.module else {
                    preconditionFailure("a compiled graph keeps the student's one stage")
                }
                return try await module.forward(inputs)
            }
            usage.latency = ContinuousClock.now - started
            prediction.usage = usage
            return prediction
        }

        /// The student as a one-stage program reading the signature's inputs from the example, what
        /// ``BootstrapFewShot`` compiles.
        private func studentGraph() throws -> Graph {
            var inputs = OrderedDictionary<String, SourceReference>()
            for field in signature.inputs { inputs[field.name] = .input(field: field.name) }
            var outputs = OrderedDictionary<String, SourceReference>()
            for field in signature.outputs { outputs[field.name] = .stage(id: "student", field: field.name) }
            let stage = Stage(
                "student", module: student, signature: signature, inputs: inputs, concurrency: max(1, knn.k))
            return try Graph(stages: [stage], outputs: outputs)
        }
    }
}
