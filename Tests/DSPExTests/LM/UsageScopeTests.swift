import DSPExSim
import DSPExTesting
import Testing

@testable import DSPEx

/// Recording what model calls cost: each call once, where it returns, in its scope and every scope around it —
/// failed calls and budgets included.
@Suite struct UsageScopeTests {
    /// Answers `[[ ## answer ## ]]` sections to JSON-adapter prompts only, so ChatAdapter's first attempt fails
    /// and its JSON fallback succeeds.
    private static func jsonOnlyLM() -> ScriptedLM {
        ScriptedLM { request in
            let system = request.messages.first?.content ?? ""
            return system.contains("JSON") ? #"{"answer": "4"}"# : "no sections here"
        }
    }

    private static let request = LMRequest(model: "scripted", messages: [.user("What is 2 + 2?")])

    @Test("a prediction whose ChatAdapter reply falls back to JSON reports both calls once")
    func fallbackCountedOnce() async throws {
        let lm = Self.jsonOnlyLM()
        let predict = try Predict("question -> answer", lm: lm)
        let (prediction, measured) = try await withUsageScope {
            try await predict(["question": "What is 2 + 2?"])
        }
        #expect(prediction["answer"] == "4")
        #expect(lm.requests.count == 2)
        #expect(prediction.usage.lmCalls == 2)
        #expect(measured.lmCalls == 2)
        #expect(measured.tokens == prediction.usage.tokens)
    }

    @Test("a prediction that fails after its calls reports them, and a later success only its own")
    func failureReported() async throws {
        let failing = try Predict("question -> answer", lm: ScriptedLM(replies: ["garbage"]))
        let (_, measured) = await withUsageScope {
            _ = try? await failing(["question": "q"])
            _ = try? await Predict("question -> answer", lm: Self.jsonOnlyLM())(["question": "q"])
        }
        #expect(measured.lmCalls == 2 + 2)
    }

    @Test("nested scopes each see their own calls; the outer one sees the inner ones too")
    func nestedScopes() async throws {
        let lm = ScriptedLM(replies: ["ok"])
        let (inner, outer) = try await withUsageScope {
            _ = try await lm.call(Self.request)
            let (_, inner) = try await withUsageScope {
                _ = try await lm.call(Self.request)
                _ = try await lm.call(Self.request)
            }
            return inner
        }
        #expect(inner.lmCalls == 2)
        #expect(outer.lmCalls == 3)
        #expect(outer.requests == 3)
    }

    @Test("child tasks inherit the scope")
    func childTasksInherit() async throws {
        let lm = ScriptedLM(replies: ["ok"])
        let (_, measured) = try await withUsageScope {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<10 { group.addTask { _ = try await lm.call(Self.request) } }
                try await group.waitForAll()
            }
        }
        #expect(measured.lmCalls == 10)
    }

    @Test("a failed call is recorded with the requests it sent; one refused before sending is not")
    func failedCallsRecorded() async throws {
        let failing = ScriptedLM { _ in throw LMError(code: .httpStatus, message: "500", status: 500, attempts: 3) }
        let unsent = ScriptedLM { _ in throw LMError(code: .authentication, message: "refused", attempts: 0) }
        let (_, measured) = await withUsageScope {
            _ = try? await failing.call(Self.request)
            _ = try? await unsent.call(Self.request)
        }
        #expect(measured.failedCalls == 1)
        #expect(measured.requests == 3)
        #expect(measured.extraRequests == 2)
        #expect(measured.lmCalls == 0)
    }

    @Test("a spent budget fails the next call before it is sent, in inner scopes too")
    func budgetStopsCalls() async throws {
        let lm = ScriptedLM(replies: ["ok"])
        let (sent, _) = await withUsageScope(budget: UsageBudget(maxCalls: 3)) {
            var sent = 0
            for _ in 0..<5 {
                let (outcome, _) = await UsageScope.measuring { try await lm.call(Self.request) }
                if case .failure(let error) = outcome {
                    #expect((error as? LMError)?.code == .budgetExhausted)
                } else {
                    sent += 1
                }
            }
            return sent
        }
        #expect(sent == 3)
        #expect(lm.requests.count == 3)
    }

    @Test("concurrent callers never send more calls than the budget: calls in flight count against it")
    func concurrentCallersRespectTheBudget() async throws {
        let lm = ScriptedLM { _ in
            try await Task.sleep(for: .milliseconds(20))
            return "ok"
        }
        let (_, measured) = await withUsageScope(budget: UsageBudget(maxCalls: 5)) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<20 { group.addTask { _ = try? await lm.call(Self.request) } }
            }
        }
        #expect(lm.requests.count == 5)
        #expect(measured.lmCalls == 5)
    }

    @Test("calls answered by the cache cost nothing against the budget")
    func cachedCallsAreFree() throws {
        let scope = UsageScope(budget: UsageBudget(maxCalls: 1))
        for _ in 0..<5 { scope.record(Usage(cachedCalls: 1)) }
        try scope.admit()
        scope.record(Usage(lmCalls: 1), admitted: true)
        #expect(throws: LMError.self) { try scope.admit() }
        #expect(scope.usage.cachedCalls == 5)
    }

    @Test("a stage that fails at the server reports its failed call with every attempt the server saw")
    func failingStageAgainstTheServer() async throws {
        var simulator = SimulatorConfiguration()
        simulator.faults = FaultInjection(rate: 1.0, kinds: [.serverError500: 1])
        try await withSimulatedLM(
            simulator,
            configure: {
                $0.cache = nil
                $0.retry = .exponential(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2))
            }
        ) { lm, server in
            let predict = try Predict("question -> answer: int", lm: lm)
            let (_, measured) = await withUsageScope { _ = try? await predict(["question": "What is 1 + 1?"]) }
            #expect(measured.failedCalls == 1)
            #expect(measured.lmCalls == 0)
            #expect(measured.requests == 3)
            #expect(server.stats().requests == 3)
        }
    }
}
