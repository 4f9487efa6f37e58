import struct DSPEx.SeededGenerator

/// Which chat-completion requests the simulator fails on purpose, and how.
///
/// A fraction ``rate`` of chat-completion requests get a fault; its kind is drawn with the
/// ``kinds`` weights. Both draws come from a stable hash of the server's seed and the
/// request's arrival index (0 for the first chat-completion request after start or
/// `POST /reset`), so a run with the same seed and request order fails the same requests.
///
/// ```swift
/// var configuration = SimulatorConfiguration()
/// configuration.faults = FaultInjection(
///     rate: 0.2, kinds: [.rateLimited429(retryAfterSeconds: 0.05): 3, .serverError500: 1])
/// configuration.faults = .only(.connectionReset)   // every request
/// ```
public struct FaultInjection: Sendable, Hashable {
    /// The fraction of chat-completion requests that fail, in `0...1`.
    public var rate: Double
    /// Relative weights of the fault kinds; kinds with weight 0 or less are never chosen.
    public var kinds: [FaultKind: Double]

    /// - Parameters:
    ///   - rate: The fraction of requests that fail, clamped to `0...1`.
    ///   - kinds: Relative weights; by default every kind equally.
    public init(rate: Double, kinds: [FaultKind: Double] = FaultInjection.equalWeights) {
        self.rate = min(max(rate, 0), 1)
        self.kinds = kinds
    }

    /// No faults.
    public static let none = FaultInjection(rate: 0, kinds: [:])

    /// Every kind with weight 1.
    public static let equalWeights: [FaultKind: Double] = Dictionary(
        uniqueKeysWithValues: FaultKind.allKinds.map { ($0, 1.0) })

    /// Only `kind`, for a fraction `rate` of requests (all of them by default).
    public static func only(_ kind: FaultKind, rate: Double = 1) -> FaultInjection {
        FaultInjection(rate: rate, kinds: [kind: 1])
    }

    /// The fault for the chat-completion request that arrived `requestIndex`-th, or nil to answer normally.
    public func fault(seed: UInt64, requestIndex: Int) -> FaultKind? {
        guard self.rate > 0 else { return nil }
        var hash = StableHash(seed: seed)
        hash.combine(requestIndex)
        hash.combine("fault")
        var random = SeededGenerator(state: hash.finalize())
        guard random.nextUnit() < self.rate else { return nil }
        let weighted = self.kinds.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        let total = weighted.reduce(0) { $0 + $1.value }
        guard total > 0 else { return nil }
        var pick = random.nextUnit() * total
        for (kind, weight) in weighted {
            if pick < weight { return kind }
            pick -= weight
        }
        return weighted.last?.key
    }
}
