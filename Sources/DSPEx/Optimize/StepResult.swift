import OrderedCollections

/// One example's outcome within a compile step, as recorded in a ``CompileJournal``.
public struct StepResult: Sendable, Hashable {
    /// One predictor call of the example's run, kept when the step captures traces (bootstrapping).
    public struct Call: Sendable, Hashable {
        /// The predictor's name in the program.
        public var predictor: String
        /// The inputs it was given.
        public var inputs: OrderedDictionary<String, Value>
        /// The outputs it produced.
        public var outputs: OrderedDictionary<String, Value>

        /// Creates a call.
        public init(
            predictor: String, inputs: OrderedDictionary<String, Value>, outputs: OrderedDictionary<String, Value>
        ) {
            self.predictor = predictor
            self.inputs = inputs
            self.outputs = outputs
        }
    }

    /// The example's id.
    public var exampleID: String
    /// The example's position in the list the step ran over.
    public var index: Int
    /// The program's outputs.
    public var outputs: OrderedDictionary<String, Value>
    /// The metric's score (0 for a failed example).
    public var score: Double
    /// Why the example failed, or `nil`.
    public var error: String?
    /// The predictor calls, when kept.
    public var trace: [Call]
    /// Calls and tokens spent on the example.
    public var usage: Usage

    /// Creates a step result.
    public init(
        exampleID: String, index: Int, outputs: OrderedDictionary<String, Value>, score: Double, error: String?,
        trace: [Call] = [], usage: Usage = Usage()
    ) {
        self.exampleID = exampleID
        self.index = index
        self.outputs = outputs
        self.score = score
        self.error = error
        self.trace = trace
        self.usage = usage
    }
}

extension StepResult {
    /// The stored form.
    func record(runID: Int64, step: String) -> CompileResultRecord {
        let traceJSON: String? =
            trace.isEmpty
            ? nil
            : Value.array(
                trace.map { call in
                    [
                        "predictor": .string(call.predictor), "inputs": .object(call.inputs),
                        "outputs": .object(call.outputs),
                    ]
                }
            ).jsonString()
        return CompileResultRecord(
            runId: runID, step: step, exampleId: exampleID, exampleIndex: index,
            outputs: Value.object(outputs).jsonString(), score: score, error: error, trace: traceJSON,
            lmCalls: usage.lmCalls, cachedCalls: usage.cachedCalls, failedCalls: usage.failedCalls,
            requests: usage.requests, promptTokens: usage.tokens.promptTokens,
            completionTokens: usage.tokens.completionTokens)
    }

    /// Reads a stored result back.
    init(_ record: CompileResultRecord) throws {
        let outputs = try Value(json: record.outputs).objectValue ?? [:]
        var calls: [Call] = []
        if let trace = record.trace {
            for entry in try Value(json: trace).arrayValue ?? [] {
                calls.append(
                    Call(
                        predictor: entry["predictor"]?.stringValue ?? "", inputs: entry["inputs"]?.objectValue ?? [:],
                        outputs: entry["outputs"]?.objectValue ?? [:]))
            }
        }
        let usage = Usage(
            lmCalls: record.lmCalls, cachedCalls: record.cachedCalls, failedCalls: record.failedCalls,
            tokens: TokenUsage(promptTokens: record.promptTokens, completionTokens: record.completionTokens),
            requests: record.requests)
        self.init(
            exampleID: record.exampleId, index: record.exampleIndex, outputs: outputs, score: record.score,
            error: record.error, trace: calls, usage: usage)
    }
}
