extension RunReport {
    /// A GEPA compile run's budget, candidate tree and Pareto front, read from its `gepa/state` record (the latest
    /// one: a run still going, stopped or killed reports how far it got), and its iterations from the
    /// `gepa/iteration/NNNN` records.
    ///
    /// ```swift
    /// let gepa = try RunReport.named("gepa-1", in: store).gepa(in: store)
    /// ```
    ///
    /// - Returns: `nil` for an evaluation, a compile run of another optimizer, or a GEPA run that has not yet
    ///   evaluated its seed program.
    public func gepa(in store: any Store) async throws -> GEPAReport? {
        guard isCompile, let record = try await store.compileStep(runID: id, key: "gepa/state"),
            let value = try? Value(json: record.value), let state = GEPAState(value)
        else { return nil }
        var report = GEPAReport(state)
        let prefix = "gepa/iteration/"
        report.history = try await store.compileSteps(runID: id, prefix: prefix).compactMap { record in
            guard let number = Int(record.key.dropFirst(prefix.count)), let value = try? Value(json: record.value)
            else { return nil }
            return GEPAReport.Iteration(number: number, value)
        }.sorted { $0.number < $1.number }
        return report
    }
}
