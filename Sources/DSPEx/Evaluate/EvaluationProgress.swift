/// A snapshot of a running evaluation, delivered after every finished example.
public struct EvaluationProgress: Sendable, Hashable {
    /// Examples with a result, including those finished before a resume.
    public var done: Int
    /// Examples in the dataset, when known.
    public var total: Int?
    /// The mean score so far, 0 to 1.
    public var score: Double
    /// Failed examples so far.
    public var errors: Int
    /// LM calls made by this process.
    public var lmCalls: Int
    /// Time since this process started the run.
    public var elapsed: Duration
    /// Examples finished by this process.
    public var doneHere: Int

    /// Examples per second in this process.
    public var rate: Double {
        let seconds = elapsed.seconds
        return seconds > 0 ? Double(doneHere) / seconds : 0
    }

    /// Estimated time left, when the total is known.
    public var remaining: Duration? {
        guard let total, rate > 0 else { return nil }
        return .milliseconds(Int(Double(max(0, total - done)) / rate * 1000))
    }
}
