import OrderedCollections

extension GEPA.Engine {
    /// The merge step; whether it took the iteration (a merge was evaluated, accepted or not).
    mutating func mergeStep(into iteration: inout OrderedDictionary<String, Value>) async throws -> Bool {
        false
    }
}
