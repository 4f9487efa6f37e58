import Synchronization

/// The one record of what language-model calls cost: every call is recorded once, where it returns
/// (``LanguageModel/call(_:)``), in the current task's scope and in every scope around it.
///
/// Scopes nest the way work does — a run, a stage's example, a predictor call, an LM-judged metric — so each
/// figure is read from the same record: a prediction's usage is its scope's, an example's the sum of its stages'
/// scopes, a run's summary, budget and progress its root scope's. A call that fails is recorded too (it was sent
/// and may have been paid for), and so is a call answered from the cache or by an identical call in flight (at
/// no cost). Child tasks inherit the scope.
///
/// ```swift
/// let (prediction, usage) = try await withUsageScope(budget: .init(maxCalls: 100)) {
///     try await Predict("question -> answer", lm: lm)(["question": "What is 2 + 3?"])
/// }
/// usage.lmCalls   // 1 (or 0 and cachedCalls 1 when the cache answered)
/// ```
public final class UsageScope: Sendable {
    /// The scope calls of the current task are recorded in.
    @TaskLocal public static var current: UsageScope?

    /// The scope around this one.
    public let parent: UsageScope?
    /// The budget of calls and tokens in this scope, if any.
    public let budget: UsageBudget?
    /// What was recorded, and how many admitted calls are still in flight (they count against a call budget).
    private struct State {
        var usage = Usage()
        var inFlight = 0
    }
    private let state = Mutex(State())

    /// Creates a scope inside `parent` (by default the current one).
    public init(parent: UsageScope? = UsageScope.current, budget: UsageBudget? = nil) {
        self.parent = parent
        self.budget = budget
    }

    /// What the calls recorded in this scope (and scopes inside it) cost so far.
    public var usage: Usage { state.withLock { $0.usage } }

    /// This scope and every scope around it, innermost first.
    private var chain: UnfoldSequence<UsageScope, (UsageScope?, Bool)> { sequence(first: self) { $0.parent } }

    /// Adds one call's cost to this scope and every scope around it, ending its admission.
    func record(_ usage: Usage, admitted: Bool = false) {
        for scope in chain {
            scope.state.withLock {
                $0.usage = $0.usage + usage
                if admitted { $0.inFlight -= 1 }
            }
        }
    }

    /// Admits one call, counting it as in flight in this scope and every scope around it, or throws
    /// ``LMError/Code/budgetExhausted`` when a budget is spent — calls in flight count against a call budget, so
    /// concurrent callers never send more than it allows.
    func admit() throws(LMError) {
        for scope in chain {
            let spent = scope.state.withLock { state -> String? in
                if let budget = scope.budget, let spent = budget.spent(by: state.usage, inFlight: state.inFlight) {
                    return spent
                }
                state.inFlight += 1
                return nil
            }
            guard let spent else { continue }
            // Undo the admissions of the scopes inside the spent one (no list kept: this runs on every call).
            for admitted in chain {
                if admitted === scope { break }
                admitted.state.withLock { $0.inFlight -= 1 }
            }
            throw LMError(code: .budgetExhausted, message: "the run's budget is spent (\(spent))", attempts: 0)
        }
    }

    /// Runs `body` in a new scope inside the current one and returns its outcome — success or failure — with what
    /// its calls cost (recorded in the enclosing scopes too).
    public static func measuring<R>(
        budget: UsageBudget? = nil, _ body: () async throws -> R
    ) async -> (Result<R, any Error>, Usage) {
        let scope = UsageScope(budget: budget)
        let outcome: Result<R, any Error>
        do {
            outcome = .success(try await $current.withValue(scope) { try await body() })
        } catch {
            outcome = .failure(error)
        }
        return (outcome, scope.usage)
    }
}

/// Runs `body` in a new ``UsageScope`` inside the current one, with an optional budget, and returns its result with
/// what its calls cost.
///
/// ```swift
/// let (result, usage) = try await withUsageScope { try await evaluate(program) }
/// ```
public func withUsageScope<R>(
    budget: UsageBudget? = nil, _ body: () async throws -> R
) async rethrows -> (R, Usage) {
    let scope = UsageScope(budget: budget)
    let result = try await UsageScope.$current.withValue(scope) { try await body() }
    return (result, scope.usage)
}

/// The most calls and tokens a scope may spend: once spent, calls fail at once with
/// ``LMError/Code/budgetExhausted`` and nothing more is sent, so a run stops in a resumable state. Calls answered
/// from a cache cost nothing; calls in flight when the budget runs out finish.
public struct UsageBudget: Sendable, Hashable, Codable {
    /// The most calls sent to a model (answered or failed); `nil` is unlimited.
    public var maxCalls: Int?
    /// The most tokens (prompt plus completion) of answered calls; `nil` is unlimited.
    public var maxTokens: Int?

    /// Creates a budget.
    public init(maxCalls: Int? = nil, maxTokens: Int? = nil) {
        self.maxCalls = maxCalls
        self.maxTokens = maxTokens
    }

    /// Whether the budget limits anything.
    public var isLimited: Bool { maxCalls != nil || maxTokens != nil }

    /// What of the budget `usage` has spent, in words, or `nil` while some is left.
    func spent(by usage: Usage, inFlight: Int = 0) -> String? {
        if let maxCalls, usage.lmCalls + usage.failedCalls + inFlight >= maxCalls { return "\(maxCalls) calls" }
        if let maxTokens, usage.tokens.totalTokens >= maxTokens { return "\(maxTokens) tokens" }
        return nil
    }
}

extension LanguageModel {
    /// Sends `request` and records what it cost in the current ``UsageScope`` — the one place DSPEx records usage.
    ///
    /// Adapters (and anything else that talks to a model) call this rather than ``complete(_:)``. A spent budget
    /// fails the call before anything is sent.
    ///
    /// - Throws: ``LMError`` (``LMError/Code/budgetExhausted`` for a spent budget), or the model's error.
    public func call(_ request: LMRequest) async throws -> LMResponse {
        let scope = UsageScope.current
        try scope?.admit()
        let started = ContinuousClock.now
        let log = LMCallLog.current
        do {
            let response = try await complete(request)
            let latency = ContinuousClock.now - started
            scope?.record(Usage(response, latency: latency), admitted: true)
            log?.record(
                LMCallLog.Call(
                    request: request, replies: response.choices.map(\.text),
                    toolCalls: response.choices.flatMap { $0.toolCalls ?? [] }, cached: response.cached,
                    latency: latency))
            return response
        } catch {
            let sent = (error as? LMError)?.attempts ?? (error is CancellationError ? 0 : 1)
            scope?.record(sent > 0 ? Usage(failedCalls: 1, requests: sent) : Usage(), admitted: true)
            log?.record(
                LMCallLog.Call(
                    request: request, replies: [], error: String(describing: error),
                    latency: ContinuousClock.now - started))
            throw error
        }
    }
}

extension Usage {
    /// The cost of one answered call: nothing but a cached call when the cache (or an identical call in flight)
    /// answered it.
    init(_ response: LMResponse, latency: Duration = .zero) {
        if response.cached {
            self.init(cachedCalls: 1, latency: latency)
        } else {
            self.init(lmCalls: 1, tokens: response.usage, latency: latency, requests: response.requests)
        }
    }
}
