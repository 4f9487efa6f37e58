/// One page of a run's results, filtered and ordered in SQL (from the `result` table's indexes), so a viewer of a
/// run of 100,000 examples reads only what it shows.
///
/// ```swift
/// let page = try store.resultPage(runID: id, query: ResultPageQuery(outcome: .errors, order: .scoreAscending))
/// print(page.total, page.results.map(\.exampleId))
/// ```
public struct ResultPageQuery: Sendable, Hashable {
    /// Which results match.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// Every result.
        case all
        /// Results that failed with an error.
        case errors
        /// Results that failed or scored below 1.
        case wrong
        /// Results that scored 1 or more.
        case passed
    }

    /// The order of the page.
    public enum Order: String, Sendable, Hashable, CaseIterable {
        /// Dataset order.
        case index
        /// Lowest score first (no score first), then dataset order.
        case scoreAscending = "score"
        /// Highest score first, then dataset order.
        case scoreDescending = "-score"
    }

    /// Which results match.
    public var outcome: Outcome
    /// Only failures of this kind (``ResultRecord/errorKind``).
    public var errorKind: String?
    /// Only results whose id, outputs or error contain this text (case-insensitive for ASCII).
    public var search: String?
    /// The order.
    public var order: Order
    /// How many matching results come before the page.
    public var offset: Int
    /// The most results on the page.
    public var limit: Int

    /// The SQL condition (over the `error` and `score` columns) the outcome stands for; `nil` for every result.
    public var outcomeCondition: String? {
        switch outcome {
        case .all: nil
        case .errors: "error IS NOT NULL"
        case .wrong: "(error IS NOT NULL OR score IS NULL OR score < 1)"
        case .passed: "error IS NULL AND score >= 1"
        }
    }

    /// ``search`` as a LIKE pattern matching it anywhere, its `%`, `_` and `\` escaped with `\`; `nil` without
    /// a search.
    public var searchPattern: String? {
        guard let search, !search.isEmpty else { return nil }
        let escaped = search.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        return "%" + escaped + "%"
    }

    /// Creates a query; the default is the first 50 results in dataset order.
    public init(
        outcome: Outcome = .all, errorKind: String? = nil, search: String? = nil, order: Order = .index,
        offset: Int = 0, limit: Int = 50
    ) {
        self.outcome = outcome
        self.errorKind = errorKind
        self.search = search
        self.order = order
        self.offset = offset
        self.limit = limit
    }
}

/// A page of results and how many results match the query in all.
public struct ResultPage: Sendable, Hashable {
    /// The page's results, in the query's order.
    public var results: [ResultRecord]
    /// How many results match the query.
    public var total: Int

    /// Creates a page.
    public init(results: [ResultRecord], total: Int) {
        self.results = results
        self.total = total
    }
}
