import DSPExSim
import DSPExTesting
import Foundation
import Testing

@testable import DSPEx

/// A server that fails a fifth of the time in every way the simulator can: the run ends with every example scored
/// or carrying its error, never a crash, and every count in the summary equals the server's.
@Suite(.timeLimit(.minutes(3)), .tags(.integration))
struct FaultyServerRunTests {
    @Test("1,000 examples at 20% faults of every kind: all recorded, and the summary's counts are the server's")
    func everyFaultKind() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString).jsonl")
        let rows = (0..<1000).map { #"{"id": "q\#($0)", "question": "What is \#($0) + 7?", "answer": \#($0 + 7)}"# }
        try rows.joined(separator: "\n").write(to: data, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: data) }
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        var simulator = SimulatorConfiguration()
        simulator.faults = FaultInjection(
            rate: 0.2,
            kinds: [
                .serverError500: 1, .rateLimited429(retryAfterSeconds: 0.02): 1, .connectionReset: 1, .noReply: 1,
                .malformedReply: 1,
            ])
        try await withSimulatedLM(simulator) { _, server in
            let plan = RunPlan(
                kind: .eval, pipeline: RunTests.path("pipelines/arithmetic.yaml"), data: data.path,
                lm: LMOverrides(
                    model: "dspex-sim", baseURL: server.baseURL, timeoutSeconds: 0.5, maxAttempts: 8,
                    maxConcurrency: 64))
            guard
                case .evaluated(let evaluated) = try await Run.start(
                    plan, named: "faulty", store: store, connector: HTTPLanguageModelConnector())
            else { Issue.record("not an evaluation"); return }
            let result = evaluated.result
            let stats = server.stats()
            #expect(result.examples == 1000)
            #expect(result.stopReason == nil)
            #expect(stats.faults.keys.count == 5, "\(stats.faults)")
            #expect(result.requests == stats.requests)
            // Every fault was retried, but a malformed reply: it is an answer (200, paid for) whose text the adapter
            // cannot read, so it is a call made, and the adapter's JSON fallback is the next call.
            let answeredFaults = stats.faults["malformedReply", default: 0]
            #expect(result.requests - result.lmCalls >= stats.totalFaults - answeredFaults)
            let runID = try #require(try store.run(named: "faulty")?.id)
            let stored = try store.results(runID: runID)
            #expect(stored.count == 1000)
            #expect(stored.allSatisfy { $0.score != nil || $0.error != nil })
        }
    }
}
