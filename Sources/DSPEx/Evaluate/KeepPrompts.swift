/// Which examples of a stored evaluation keep what each stage did — its inputs, outputs, and the exact messages
/// and raw replies of its LM calls — for `dspex inspect` and the console.
///
/// ```swift
/// var configuration = Evaluate.Configuration()
/// configuration.keepPrompts = .failed   // only examples that failed or scored below 1
/// ```
public enum KeepPrompts: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every example (the default).
    case all
    /// Examples that failed or scored below 1.
    case failed
    /// None: only results and totals are stored, and no call is recorded at all.
    case none

    /// Whether an example with this outcome keeps its stages.
    func keeps(error: Bool, score: Double) -> Bool {
        switch self {
        case .all: true
        case .failed: error || score < 1
        case .none: false
        }
    }
}
