import DSPEx
import DSPExTesting
import Foundation
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(3)))
struct OpenAICompatibleLMTests {
    @Test("Predict talks to a real HTTP server and reads usage")
    func endToEnd() async throws {
        try await withSimulatedLM { lm, server in
            let prediction = try await Predict("question -> answer: int", lm: lm)(["question": "What is 2 + 3?"])
            #expect(prediction["answer"]?.intValue != nil)
            #expect(prediction.usage.tokens.promptTokens > 0)
            #expect(server.stats().completions == 1)
            #expect(lm.history.all.count == 1)
        }
    }

    @Test("retries wait on the injected clock: each wait is the policy's delay for its attempt, no real sleep")
    func retriesWaitOnTheInjectedClock() async throws {
        var simulator = SimulatorConfiguration()
        simulator.seed = 3
        simulator.faults = FaultInjection(rate: 0.5, kinds: [.serverError500: 1])
        let waits = Mutex<[Duration]>([])
        let policy = RetryPolicy.exponential(maxAttempts: 10, baseDelay: .seconds(60), maxDelay: .seconds(600))
        try await withSimulatedLM(
            simulator,
            configure: {
                $0.cache = nil
                $0.retry = policy
                $0.retryTiming = RetryTiming(sleep: { wait in waits.withLock { $0.append(wait) } }, unit: { 0.5 })
            }
        ) { lm, server in
            let started = ContinuousClock.now
            var attemptsPerCall: [Int] = []
            for index in 0..<8 {
                let response = try await lm.complete(LMRequest(model: lm.model, messages: [.user("call \(index)")]))
                attemptsPerCall.append(response.requests)
            }
            let elapsed = ContinuousClock.now - started
            var expected: [Duration] = []
            for attempts in attemptsPerCall where attempts > 1 {
                for attempt in 1..<attempts {
                    expected.append(policy.delay(afterAttempt: attempt, retryAfter: nil, unit: 0.5))
                }
            }
            #expect(server.stats().totalFaults > 0)
            #expect(waits.withLock { $0 } == expected)
            // Seconds of backoff were asked for; none was slept.
            #expect(expected.reduce(.zero, +) > .seconds(60))
            #expect(elapsed < expected.reduce(.zero, +))
        }
    }

    @Test(
        "every call completes through retries when 20% of requests fail",
        arguments: OpenAICompatibleLM.Transport.allCases)
    func retriesThroughFaults(transport: OpenAICompatibleLM.Transport) async throws {
        var simulator = SimulatorConfiguration()
        simulator.seed = 7
        simulator.faults = FaultInjection(
            rate: 0.2, kinds: [.serverError500: 1, .rateLimited429(retryAfterSeconds: 0.01): 1, .connectionReset: 1])
        try await withSimulatedLM(
            simulator,
            configure: {
                $0.retry = .exponential(maxAttempts: 8, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50))
                $0.cache = nil
                $0.transport = transport
            }
        ) { lm, server in
            let predict = try Predict("question -> answer: int", lm: lm)
            let (answers, usage) = try await withUsageScope {
                try await withThrowingTaskGroup(of: Value?.self) { group in
                    for index in 0..<200 {
                        group.addTask { try await predict(["question": .string("What is \(index) + 1?")])["answer"] }
                    }
                    return try await group.reduce(into: [Value?]()) { $0.append($1) }
                }
            }
            #expect(answers.count == 200)
            #expect(answers.allSatisfy { $0?.intValue != nil })
            let stats = server.stats()
            #expect(stats.totalFaults > 10)
            #expect(stats.completions == 200)
            #expect(usage.extraRequests == stats.totalFaults)
            #expect(usage.requests == stats.requests)
        }
    }

    @Test(
        "a refused connection fails at once with a clear error and no retry",
        arguments: OpenAICompatibleLM.Transport.allCases)
    func connectionRefusedFailsFast(transport: OpenAICompatibleLM.Transport) async throws {
        let lm = OpenAICompatibleLM(
            .init(model: "x", baseURL: "http://127.0.0.1:1/v1", apiKeyEnvironmentVariable: nil, transport: transport))
        let started = ContinuousClock.now
        do {
            _ = try await lm.complete(LMRequest(model: "x", messages: [.user("hi")]))
            Issue.record("should fail")
        } catch let error as LMError {
            #expect(error.code == .unreachable)
            #expect(!error.isRetryable)
            #expect(error.attempts == 1)
            #expect(error.description.contains("127.0.0.1:1"))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        try await lm.shutdown()
    }

    @Test("a 401 is reported with its status and not retried")
    func unauthorizedIsNotRetried() async throws {
        var simulator = SimulatorConfiguration()
        simulator.requiredAPIKey = "sk-test-secret"
        try await withSimulatedLM(simulator, configure: { $0.apiKeyEnvironmentVariable = "DSPEX_TEST_KEY" }) {
            _, server in
            let lm = OpenAICompatibleLM(
                .init(model: "dspex-sim", baseURL: server.baseURL, apiKeyEnvironmentVariable: "DSPEX_TEST_KEY"),
                environment: ["DSPEX_TEST_KEY": "sk-wrong-secret"])
            do {
                _ = try await lm.complete(LMRequest(model: "dspex-sim", messages: [.user("hi")]))
                Issue.record("should fail")
            } catch let error as LMError {
                #expect(error.status == 401)
                #expect(error.attempts == 1)
                #expect(!error.description.contains("sk-wrong-secret"))
            }
            #expect(server.stats().requests == 1)
            let history = lm.history.all.map { "\($0)" }.joined()
            #expect(!history.contains("sk-wrong-secret"))
            try await lm.shutdown()

            let good = OpenAICompatibleLM(
                .init(model: "dspex-sim", baseURL: server.baseURL, apiKeyEnvironmentVariable: "DSPEX_TEST_KEY"),
                environment: ["DSPEX_TEST_KEY": "sk-test-secret"])
            let reply = try await good.complete(LMRequest(model: "dspex-sim", messages: [.user("hi")]))
            #expect(!reply.choices.isEmpty)
            try await good.shutdown()
        }
    }

    @Test(
        "a server that never answers times out and the timeout is retried",
        arguments: OpenAICompatibleLM.Transport.allCases)
    func timeoutIsRetried(transport: OpenAICompatibleLM.Transport) async throws {
        var simulator = SimulatorConfiguration()
        simulator.faults = FaultInjection(rate: 0.5, kinds: [.noReply: 1])
        simulator.seed = 3
        try await withSimulatedLM(
            simulator,
            configure: {
                $0.timeout = .milliseconds(800)
                $0.transport = transport
                $0.retry = .exponential(maxAttempts: 10, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5))
            }
        ) { lm, server in
            let schedule = (0..<12).map { simulator.faults.fault(seed: simulator.seed, requestIndex: $0) }
            #expect(schedule.contains(.noReply))
            let (_, usage) = try await withUsageScope {
                for index in 0..<6 {
                    _ = try await lm.call(LMRequest(model: lm.model, messages: [.user("call \(index)")]))
                }
            }
            #expect(server.stats().faults["noReply", default: 0] > 0)
            // Every unanswered request was retried; on a loaded machine a slow answer may time out and be retried too.
            #expect(usage.extraRequests >= server.stats().faults["noReply", default: 0])
            // Every request the server saw was counted; on a loaded machine a request can time out before the server
            // has read it, and such a request is one of the retried ones.
            let seen = server.stats().requests
            #expect(usage.requests >= seen)
            #expect(usage.requests - seen <= usage.extraRequests)
        }
    }

    @Test("identical requests are answered from the cache")
    func cache() async throws {
        try await withSimulatedLM { lm, server in
            let predict = try Predict("question -> answer", lm: lm)
            let first = try await predict(["question": "What is 2 + 3?"])
            let second = try await predict(["question": "What is 2 + 3?"])
            #expect(first.outputs == second.outputs)
            #expect(second.usage.cachedCalls == 1)
            #expect(second.usage.lmCalls == 0)
            #expect(server.stats().requests == 1)
            var fresh = LMOptions()
            fresh.rolloutID = 1
            _ = try await predict.forward(["question": "What is 2 + 3?"], options: fresh)
            #expect(server.stats().requests == 2)
        }
    }

    @Test(
        "the concurrency limit is shared by every caller of a client", arguments: OpenAICompatibleLM.Transport.allCases)
    func concurrencyLimit(transport: OpenAICompatibleLM.Transport) async throws {
        var simulator = SimulatorConfiguration()
        simulator.latency = .fixed(milliseconds: 100)
        try await withSimulatedLM(
            simulator,
            configure: {
                $0.maxConcurrency = 2
                $0.transport = transport
            }
        ) { lm, _ in
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        _ = try await lm.complete(LMRequest(model: lm.model, messages: [.user("\(index)")]))
                    }
                }
                try await group.waitForAll()
            }
            #expect(ContinuousClock.now - started >= .milliseconds(300))
        }
    }

    @Test("the history keeps only the last N calls")
    func historyIsBounded() async throws {
        try await withSimulatedLM(configure: { $0.historyLimit = 3 }) { lm, _ in
            for index in 0..<5 { _ = try await lm.complete(LMRequest(model: lm.model, messages: [.user("\(index)")])) }
            #expect(lm.history.all.map { $0.request.messages[0].content } == ["2", "3", "4"])
        }
    }

    @Test("the JSON adapter sends a response_format the simulator honours")
    func jsonAdapterOverHTTP() async throws {
        try await withSimulatedLM { lm, _ in
            let predict = try Predict("question -> answer: int, tags: list[str]", lm: lm, adapter: JSONAdapter())
            let prediction = try await predict(["question": "What is 2 + 3?"])
            #expect(prediction["answer"]?.intValue != nil)
            #expect(prediction["tags"]?.arrayValue != nil)
        }
    }

    @Test(
        "several choices from a server that samples one per request: the first body asks for n, the rest do not, and the cache keeps the merged reply",
        arguments: OpenAICompatibleLM.Transport.allCases)
    func choicesFromASingleChoiceServer(transport: OpenAICompatibleLM.Transport) async throws {
        try await ScriptedHTTPServer.with(.singleChoiceOnly) { server in
            var configuration = OpenAICompatibleLM.Configuration(
                model: "scripted", baseURL: server.baseURL, apiKeyEnvironmentVariable: nil,
                retry: .exponential(maxAttempts: 1), cache: MemoryLMCache())
            configuration.transport = transport
            let lm = OpenAICompatibleLM(configuration)
            let request = LMRequest(model: lm.model, messages: [.user("three answers")], n: 3)
            let reply = try await lm.complete(request)
            #expect(reply.choices.count == 3)
            #expect(try await lm.complete(request).cached)
            try await lm.shutdown()
            let bodies = server.counts.withLock { $0.bodies }
            #expect(bodies.count == 4)
            #expect(bodies.map(ScriptedHTTPHandler.choiceCount) == [3, nil, nil, nil])
            #expect(bodies.allSatisfy { $0.contains(#""content":"three answers""#) })
        }
    }
}
