/// Turns texts into vectors — DSPy's `dspy.Embedder`: a hosted embedding model behind
/// ``OpenAICompatibleEmbedder``, or any function of your own.
///
/// ``KNN`` and ``KNNFewShot`` take `any Embedder`, so tests inject a scripted one and programs talk to a real
/// model. Vectors are `Float` (DSPy's float32); an embedder returns one per text, in the order given.
///
/// ```swift
/// let embedder = OpenAICompatibleEmbedder(.init(model: "text-embedding-3-small"))   // key from OPENAI_API_KEY
/// let vectors = try await embedder.embed(["hello", "world"])   // 2 vectors of 1,536 components
/// ```
public protocol Embedder: Sendable {
    /// One vector per text, in the order of `texts`.
    ///
    /// - Throws: ``LMError`` when a hosted model fails after any retries.
    func embed(_ texts: [String]) async throws -> [[Float]]
}
