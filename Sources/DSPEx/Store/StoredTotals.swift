import Foundation

/// Totals of a run as stored (or as aggregated in memory).
public struct StoredTotals: Sendable, Hashable, Codable {
    /// Examples with a result.
    public var examples: Int
    /// The sum of their scores.
    public var scoreSum: Double
    /// Failed examples.
    public var errors: Int
    /// LM calls that reached a model.
    public var lmCalls: Int
    /// Calls answered from a cache.
    public var cachedCalls: Int
    /// Calls that failed after their attempts.
    public var failedCalls: Int
    /// HTTP requests sent (every attempt, retries included).
    public var requests: Int
    /// Prompt tokens.
    public var promptTokens: Int
    /// Completion tokens.
    public var completionTokens: Int
    /// For a compile run: the best score the optimizer measured, when it scored candidates.
    public var bestScore: Double?

    /// Creates totals.
    public init(
        examples: Int = 0, scoreSum: Double = 0, errors: Int = 0, lmCalls: Int = 0, cachedCalls: Int = 0,
        failedCalls: Int = 0, requests: Int? = nil, promptTokens: Int = 0, completionTokens: Int = 0
    ) {
        self.failedCalls = failedCalls
        self.requests = requests ?? (lmCalls + failedCalls)
        self.examples = examples
        self.scoreSum = scoreSum
        self.errors = errors
        self.lmCalls = lmCalls
        self.cachedCalls = cachedCalls
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    /// The totals as a run's `totals` column holds them: compact JSON with sorted keys.
    ///
    /// - Throws: ``StoreError`` (``StoreError/Code/invalidData``) naming the store at `path`.
    public func storedJSON(path: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch {
            throw StoreError(code: .invalidData, message: "could not encode the totals as JSON: \(error)", path: path)
        }
    }

    /// The mean score, 0 to 1.
    public var score: Double { examples > 0 ? scoreSum / Double(examples) : 0 }

    /// The usage these totals add up to (no latency).
    public var usage: Usage {
        Usage(
            lmCalls: lmCalls, cachedCalls: cachedCalls, failedCalls: failedCalls,
            tokens: TokenUsage(promptTokens: promptTokens, completionTokens: completionTokens), requests: requests)
    }

    /// These totals with `usage` added.
    public func adding(_ usage: Usage) -> StoredTotals {
        var sum = self
        sum.lmCalls += usage.lmCalls
        sum.cachedCalls += usage.cachedCalls
        sum.failedCalls += usage.failedCalls
        sum.requests += usage.requests
        sum.promptTokens += usage.tokens.promptTokens
        sum.completionTokens += usage.tokens.completionTokens
        return sum
    }

    private enum CodingKeys: String, CodingKey {
        case examples, scoreSum, errors, lmCalls, cachedCalls, failedCalls, requests, promptTokens, completionTokens
        case bestScore
    }

    /// Reads totals, also those stored before failed calls and requests were counted (requests = calls then).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        examples = try container.decode(Int.self, forKey: .examples)
        scoreSum = try container.decode(Double.self, forKey: .scoreSum)
        errors = try container.decode(Int.self, forKey: .errors)
        lmCalls = try container.decode(Int.self, forKey: .lmCalls)
        cachedCalls = try container.decode(Int.self, forKey: .cachedCalls)
        failedCalls = try container.decodeIfPresent(Int.self, forKey: .failedCalls) ?? 0
        requests = try container.decodeIfPresent(Int.self, forKey: .requests) ?? lmCalls
        promptTokens = try container.decode(Int.self, forKey: .promptTokens)
        completionTokens = try container.decode(Int.self, forKey: .completionTokens)
        bestScore = try container.decodeIfPresent(Double.self, forKey: .bestScore)
    }
}
