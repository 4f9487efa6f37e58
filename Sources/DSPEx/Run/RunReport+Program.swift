extension RunReport {
    /// A compile run's best program in DSPy's JSON layout: the saved program, else the journal's result.
    public func bestProgramJSON(in store: any Store) async throws -> String? {
        if let saved = try await store.programs(runID: id).last { return saved.json }
        guard let result = try await store.compileStep(runID: id, key: "result"),
            let program = (try? Value(json: result.value))?["program"]
        else { return nil }
        return program.jsonString(.pretty(indent: 2))
    }
}
