import Foundation

/// The settings of a `knn_few_shot` stage: the trainset searched, how many neighbours each call bootstraps from,
/// the embedding model, and the bootstrap's demo limits — DSPy's `KNNFewShot(k, trainset, vectorizer, ...)`.
///
/// ```yaml
/// - id: solve
///   module: knn_few_shot
///   inner: predict
///   signature: "question -> answer: int"
///   k: 3
///   trainset: ../data/arithmetic_train.jsonl     # relative to this file's folder, or absolute
///   embedder: {model: text-embedding-3-small}    # base_url and api_key_env: the run's model server's
///   max_bootstrapped_demos: 3
///   max_labeled_demos: 3
///   inputs: {question: input.question}
/// ```
///
/// The trainset is a JSONL or CSV dataset whose rows hold the signature's inputs (each example's input keys) and
/// outputs; it is read when the graph is built (``PipelineSpec/makeGraph(lm:concurrency:options:tools:)``).
public struct KNNSpec: Sendable, Hashable {
    /// How many nearest training examples each call bootstraps from (`k`), at least 1.
    public var k: Int
    /// The trainset's path as written (`trainset`), after variable expansion.
    public var trainset: String
    /// The trainset's file: ``trainset`` resolved against the pipeline file's folder unless it is absolute.
    public var trainsetURL: URL
    /// The place of the `trainset` value.
    public var trainsetLocation: SourceLocation
    /// The embedding model (`embedder`).
    public var embedder: EmbedderSpec
    /// The most bootstrapped demos per call (`max_bootstrapped_demos`), or `nil` for DSPy's 4.
    public var maxBootstrappedDemos: Int?
    /// The most demos per call in all (`max_labeled_demos`), or `nil` for DSPy's 16.
    public var maxLabeledDemos: Int?

    /// The keys a `knn_few_shot` stage adds to a stage's keys.
    public static let keys = ["k", "trainset", "embedder", "max_bootstrapped_demos", "max_labeled_demos"]

    /// Creates the settings.
    public init(
        k: Int, trainset: String, trainsetURL: URL, trainsetLocation: SourceLocation, embedder: EmbedderSpec,
        maxBootstrappedDemos: Int? = nil, maxLabeledDemos: Int? = nil
    ) {
        self.k = k
        self.trainset = trainset
        self.trainsetURL = trainsetURL
        self.trainsetLocation = trainsetLocation
        self.embedder = embedder
        self.maxBootstrappedDemos = maxBootstrappedDemos
        self.maxLabeledDemos = maxLabeledDemos
    }
}
