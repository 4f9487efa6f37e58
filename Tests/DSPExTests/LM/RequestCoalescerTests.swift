import DSPExTesting
import Foundation
import Testing

@testable import DSPEx

@Suite(.timeLimit(.minutes(3)))
struct RequestCoalescerTests {
    @Test("the state machine: the first caller leads, later ones wait, the flight's end hands back every waiter")
    func stateMachine() {
        var machine = RequestCoalescerStateMachine<String>()
        let step1 = machine.join("k")
        #expect(step1 == .lead)
        let step2 = machine.join("k")
        #expect(step2 == .wait(id: 1))
        let step3 = machine.join("other")
        #expect(step3 == .lead)
        let step4 = machine.register("first", id: 1, for: "k")
        #expect(step4)
        let step5 = machine.join("k")
        #expect(step5 == .wait(id: 2))
        let step6 = machine.register("second", id: 2, for: "k")
        #expect(step6)
        let step7 = machine.cancel(id: 2, for: "k")
        #expect(step7 == "second")
        let step8 = machine.cancel(id: 2, for: "k")
        #expect(step8 == nil)
        let step9 = machine.finish("k")
        #expect(step9 == ["first"])
        #expect(machine.inFlight == 1)
        // A waiter arriving after the flight ended is told to try again.
        let step10 = machine.register("late", id: 3, for: "k")
        #expect(!step10)
        let step11 = machine.join("k")
        #expect(step11 == .lead)
    }

    static let request = LMRequest(model: "dspex-sim", messages: [.user("What is 12 + 30?")])

    @Test("two identical requests at once produce one server request; the second is answered as a cached call")
    func identicalRequestsCoalesce() async throws {
        var simulator = SimulatorConfiguration()
        simulator.latency = .fixed(milliseconds: 100)
        try await withSimulatedLM(simulator) { lm, server in
            let (replies, usage) = try await withUsageScope {
                async let first = lm.call(Self.request)
                async let second = lm.call(Self.request)
                return try await [first, second]
            }
            #expect(server.stats().requests == 1)
            #expect(replies[0].text == replies[1].text)
            #expect(replies.filter(\.cached).count == 1)
            #expect(usage.lmCalls == 1 && usage.cachedCalls == 1 && usage.requests == 1)
        }
    }

    @Test("requests that differ only in their rollout id are not coalesced")
    func rolloutIDsAreDistinct() async throws {
        var simulator = SimulatorConfiguration()
        simulator.latency = .fixed(milliseconds: 50)
        try await withSimulatedLM(simulator) { lm, server in
            var other = Self.request
            other.rolloutID = 1
            async let first = lm.complete(Self.request)
            async let second = lm.complete(other)
            _ = try await [first, second]
            #expect(server.stats().requests == 2)
        }
    }

    @Test("when the leader is cancelled, a waiter makes the call itself and gets the reply")
    func cancelledLeaderHandsOver() async throws {
        let coalescer = RequestCoalescer()
        let reply = LMResponse(choices: [.init(text: "42")])
        let leader = Task {
            try await coalescer.coalesce("k") { _ in
                try await Task.sleep(for: .seconds(60))  // until cancelled
                return reply
            }
        }
        while coalescer.inFlight == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let waiter = Task {
            try await coalescer.coalesce("k") { attempt in
                #expect(attempt == 1)
                return LMResponse(choices: [.init(text: "made by the waiter")])
            }
        }
        while coalescer.waiting(for: "k") == 0 { try await Task.sleep(for: .milliseconds(1)) }
        leader.cancel()
        #expect(try await waiter.value.text == "made by the waiter")
        await #expect(throws: CancellationError.self) { try await leader.value }
        #expect(coalescer.inFlight == 0)
    }

    @Test("a cancelled waiter throws at once, and the leader's reply still reaches the others")
    func cancelledWaiter() async throws {
        let coalescer = RequestCoalescer()
        let gate = AsyncStream.makeStream(of: Void.self)
        let leader = Task {
            try await coalescer.coalesce("k") { _ in
                for await _ in gate.stream { break }
                return LMResponse(choices: [.init(text: "42")])
            }
        }
        while coalescer.inFlight == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let cancelled = Task { try await coalescer.coalesce("k") { _ in LMResponse(choices: []) } }
        let patient = Task { try await coalescer.coalesce("k") { _ in LMResponse(choices: []) } }
        while coalescer.waiting(for: "k") < 2 { try await Task.sleep(for: .milliseconds(1)) }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        gate.continuation.yield()
        #expect(try await leader.value.text == "42")
        let shared = try await patient.value
        #expect(shared.text == "42" && shared.cached)
    }

    @Test("a failure of the leader is the waiters' failure too: the server is not asked again")
    func failuresAreShared() async throws {
        var simulator = SimulatorConfiguration()
        simulator.latency = .fixed(milliseconds: 100)
        simulator.requiredAPIKey = "right"
        try await withSimulatedLM(simulator, configure: { $0.apiKeyEnvironmentVariable = nil }) { lm, server in
            async let first = Result(catching: { try await lm.complete(Self.request) })
            async let second = Result(catching: { try await lm.complete(Self.request) })
            let results = await [first, second]
            #expect(results.allSatisfy { if case .failure = $0 { true } else { false } })
            #expect(server.stats().requests == 1)
        }
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
