/// The settings of a `best_of_n` or `refine` stage: how many attempts, the reward that scores them, and when to
/// stop — DSPy's `BestOfN(module, N, reward_fn, threshold, fail_count)` and `Refine`'s same parameters.
///
/// ```yaml
/// - id: solve
///   module: refine
///   inner: chain_of_thought
///   signature: "question -> answer: int"
///   n: 3
///   threshold: 1.0
///   fail_count: 1
///   reward: {kind: field_matches, field: answer, pattern: "^[0-9]+$"}
///   reward_description: "1.0 when the answer is digits only"
///   inputs: {question: input.question}
/// ```
public struct SamplingSpec: Sendable, Hashable {
    /// The most attempts (`n`), at least 1.
    public var n: Int
    /// The reward that ends the attempts at once (`threshold`).
    public var threshold: Double
    /// How many failed attempts are tolerated (`fail_count`), or `nil` for `n`.
    public var failCount: Int?
    /// The reward (`reward`).
    public var reward: RewardSpec
    /// `refine`: what the feedback call is told about the reward (`reward_description`), or `nil` for
    /// ``RewardSpec/summary``.
    public var rewardDescription: String?

    /// The keys a `best_of_n` or `refine` stage adds to a stage's keys (`reward_description` is `refine`'s only).
    public static let keys = ["n", "threshold", "fail_count", "reward", "reward_description"]

    /// Creates the settings.
    public init(
        n: Int, threshold: Double, failCount: Int? = nil, reward: RewardSpec, rewardDescription: String? = nil
    ) {
        self.n = n
        self.threshold = threshold
        self.failCount = failCount
        self.reward = reward
        self.rewardDescription = rewardDescription
    }

    /// ``rewardDescription``, or the reward in words when the file gives none.
    public var effectiveRewardDescription: String { rewardDescription ?? reward.summary }
}
