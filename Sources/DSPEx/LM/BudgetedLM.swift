import Synchronization

/// Wraps a language model with a budget of calls and tokens: once spent, calls fail at once with
/// ``LMError/Code/budgetExhausted`` and nothing more is sent, so a run stops in a resumable state.
///
/// Calls answered from a cache cost nothing. Calls already in flight when the budget runs out finish.
///
/// ```swift
/// let budgeted = BudgetedLM(lm, maxCalls: 1_000, maxTokens: 2_000_000)
/// ```
public final class BudgetedLM: LanguageModel {
    private struct Spent {
        var calls = 0
        var tokens = 0
    }

    /// The wrapped model.
    public let base: any LanguageModel
    /// The most calls that may reach the model; `nil` is unlimited.
    public let maxCalls: Int?
    /// The most tokens (prompt plus completion) that may be used; `nil` is unlimited.
    public let maxTokens: Int?
    private let spent = Mutex(Spent())

    /// Creates a budgeted model.
    public init(_ base: any LanguageModel, maxCalls: Int? = nil, maxTokens: Int? = nil) {
        self.base = base
        self.maxCalls = maxCalls
        self.maxTokens = maxTokens
    }

    public var model: String { base.model }

    /// Calls and tokens spent so far.
    public var usage: (calls: Int, tokens: Int) { spent.withLock { ($0.calls, $0.tokens) } }

    /// Whether the budget is spent.
    public var isExhausted: Bool {
        spent.withLock { spent in
            (maxCalls.map { spent.calls >= $0 } ?? false) || (maxTokens.map { spent.tokens >= $0 } ?? false)
        }
    }

    public func complete(_ request: LMRequest) async throws -> LMResponse {
        let admitted = spent.withLock { spent -> Bool in
            if let maxCalls, spent.calls >= maxCalls { return false }
            if let maxTokens, spent.tokens >= maxTokens { return false }
            spent.calls += 1
            return true
        }
        guard admitted else {
            throw LMError(code: .budgetExhausted, message: "the run's budget is spent (\(budgetDescription))")
        }
        let response = try await base.complete(request)
        spent.withLock { spent in
            if response.cached {
                spent.calls -= 1
            } else {
                spent.tokens += response.usage.totalTokens
            }
        }
        return response
    }

    private var budgetDescription: String {
        [maxCalls.map { "\($0) calls" }, maxTokens.map { "\($0) tokens" }].compactMap { $0 }.joined(separator: ", ")
    }
}
