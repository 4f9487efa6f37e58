/// One way a simulated chat-completion request can fail.
///
/// A struct with static members rather than an enum, so kinds can be added without
/// breaking callers. Each kind is counted under its ``name`` in ``SimulatorStats/faults``.
///
/// ```swift
/// let faults = FaultInjection(rate: 0.1, kinds: [.serverError500: 1, .rateLimited429(retryAfterSeconds: 2): 1])
/// ```
public struct FaultKind: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The kind's stable name: `serverError500`, `rateLimited429`, `connectionReset`, `noReply` or `malformedReply`.
    public let name: String
    /// For ``rateLimited429``: the wait sent in `Retry-After` (whole seconds, rounded up) and `retry-after-ms`.
    public let retryAfterSeconds: Double

    private init(name: String, retryAfterSeconds: Double = 0) {
        self.name = name
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// HTTP 500 with an OpenAI error body (`type: "server_error"`).
    public static let serverError500 = FaultKind(name: "serverError500")

    /// HTTP 429 with `Retry-After: 1` and `retry-after-ms: 1000`.
    public static let rateLimited429 = FaultKind.rateLimited429(retryAfterSeconds: 1)

    /// HTTP 429 with `Retry-After` (seconds, rounded up) and `retry-after-ms` headers.
    public static func rateLimited429(retryAfterSeconds: Double) -> FaultKind {
        FaultKind(name: "rateLimited429", retryAfterSeconds: max(0, retryAfterSeconds))
    }

    /// The connection is reset (closed with `SO_LINGER` 0) without any reply.
    public static let connectionReset = FaultKind(name: "connectionReset")

    /// The request is held and never answered; resources are released when the client disconnects.
    public static let noReply = FaultKind(name: "noReply")

    /// HTTP 200 whose content is missing one output field or is prose not in the requested format.
    public static let malformedReply = FaultKind(name: "malformedReply")

    /// Every kind, with the default retry delay for 429.
    public static let allKinds: [FaultKind] = [
        .serverError500, .rateLimited429, .connectionReset, .noReply, .malformedReply,
    ]

    public var description: String {
        self.name == "rateLimited429" ? "rateLimited429(retryAfterSeconds: \(self.retryAfterSeconds))" : self.name
    }

    public static func < (lhs: FaultKind, rhs: FaultKind) -> Bool {
        (lhs.name, lhs.retryAfterSeconds) < (rhs.name, rhs.retryAfterSeconds)
    }
}
