import DSPEx
import Foundation

/// Results written per second through ``ResultBatcher`` (what `dspex eval` uses) by concurrent producers,
/// into a store file on disk, every result committed when the measurement ends.
struct StoreBenchmark {
    var results: Int
    var producers: Int

    func run() async throws -> Measurement {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let run = try store.createRun(
            name: "bench", kind: "eval", pipeline: "bench.yaml", pipelineHash: "p", datasetHash: "d", config: "{}")
        guard let runID = run.id else { throw BenchmarkError(message: "the run has no id") }
        let outputs = Value.object(["answer": .int(1234)]).jsonString()
        let batcher = ResultBatcher(store: store)
        let perProducer = results / producers
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await batcher.run() }
            try await withThrowingTaskGroup(of: Void.self) { producersGroup in
                for producer in 0..<producers {
                    producersGroup.addTask {
                        for offset in 0..<perProducer {
                            let index = producer * perProducer + offset
                            try await batcher.submit(
                                ResultRecord(
                                    runId: runID, exampleId: "r\(index)", exampleIndex: index, outputs: outputs,
                                    score: 1, error: nil, lmCalls: 1, promptTokens: 170, completionTokens: 11,
                                    latencyMs: 0.4))
                        }
                    }
                }
                try await producersGroup.waitForAll()
            }
            try await batcher.close()
            try await group.waitForAll()
        }
        let elapsed = (ContinuousClock.now - started).seconds
        let stored = try store.resultCount(runID: runID)
        guard stored == perProducer * producers else {
            throw BenchmarkError(message: "\(stored) results stored, expected \(perProducer * producers)")
        }
        return Measurement(value: Double(stored) / elapsed, notes: ["wall s": elapsed])
    }
}
