import DSPExTesting
import OrderedCollections
import Synchronization
import Testing

@testable import DSPEx

/// DSPy's Parallel: pairs at once, bounded, results in order with `nil` for failures, cancelled at `maxErrors`.
@Suite struct ParallelTests {
    /// How many calls are running, and the most at once.
    final class Gauge: Sendable {
        let state = Mutex((now: 0, most: 0))
        func enter() {
            state.withLock {
                $0.now += 1; $0.most = max($0.most, $0.now)
            }
        }
        func leave() { state.withLock { $0.now -= 1 } }
        var most: Int { state.withLock { $0.most } }
    }

    static func pairs(_ module: any Module, count: Int) -> [(
        module: any Module, inputs: OrderedDictionary<String, Value>
    )] {
        (0..<count).map { (module: module, inputs: ["question": .string("q\($0)?")]) }
    }

    static func module(failingOn failing: Set<String>, gauge: Gauge = Gauge()) throws -> any Module {
        try Predict(
            "question -> answer",
            lm: ScriptedLM { request in
                let prompt = request.messages.map(\.content).joined()
                gauge.enter()
                defer { gauge.leave() }
                try await Task.sleep(for: .milliseconds(5))
                if failing.contains(where: { prompt.contains($0) }) {
                    throw LMError(code: .httpStatus, message: "500", status: 500)
                }
                return "[[ ## answer ## ]]\nok\n\n[[ ## completed ## ]]"
            })
    }

    @Test("results come back in the pairs' order, at most numThreads at once, nil where a pair failed")
    func orderBoundAndFailures() async throws {
        let gauge = Gauge()
        let outcome = try await Parallel(numThreads: 4).run(
            Self.pairs(try Self.module(failingOn: ["q7?"], gauge: gauge), count: 20))
        #expect(outcome.results.count == 20)
        #expect(outcome.results.enumerated().allSatisfy { ($0.offset == 7) == ($0.element == nil) })
        #expect(outcome.failures.map { $0.index } == [7])
        #expect(gauge.most <= 4)
    }

    @Test("reaching maxErrors cancels the rest and throws")
    func maxErrors() async throws {
        let pairs = Self.pairs(try Self.module(failingOn: ["?"]), count: 30)
        await #expect(throws: ModuleError.self) { _ = try await Parallel(numThreads: 2, maxErrors: 3)(pairs) }
    }
}
