/// A metric that cannot be made or cannot score: an unknown name, a judge signature it cannot use,
/// or a judge's verdict it cannot read.
///
/// ```swift
/// do { _ = try Metric.named("accuracy", field: nil, label: nil) }
/// catch { print(error) }   // unknown metric 'accuracy'; the known metrics are exact_match (also em, exact), ...
/// ```
public struct MetricError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// No built-in metric has that name.
        public static let unknownMetric = Code(name: "unknown_metric")
        /// A judge's signature or input mapping cannot produce a score.
        public static let invalidJudge = Code(name: "invalid_judge")
        /// The judge replied, but its verdict was not a usable value.
        public static let unreadableVerdict = Code(name: "unreadable_verdict")
    }

    /// What went wrong.
    public var code: Code
    /// One sentence for the user.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
