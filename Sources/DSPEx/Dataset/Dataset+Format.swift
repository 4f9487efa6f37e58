extension Dataset {
    /// The text format of a dataset file.
    ///
    /// JSONL has one JSON object per line, whose members keep their order. CSV has a header row naming the
    /// columns; every cell is read as a string, and quoted cells may hold commas, quotes (`""`) and newlines.
    ///
    /// ```swift
    /// Dataset.Format(fileExtension: "ndjson") // .jsonl
    /// let configuration = Dataset.Configuration(format: .csv)
    /// ```
    public struct Format: Sendable, Hashable, CustomStringConvertible {
        enum Kind: Sendable, Hashable {
            case jsonl
            case csv
        }

        let kind: Kind

        /// One JSON object per line (also called NDJSON or JSON Lines).
        public static let jsonl = Format(kind: .jsonl)
        /// Comma-separated values with a header row (RFC 4180 quoting).
        public static let csv = Format(kind: .csv)

        /// The format a file extension (without the dot, any case) names: `jsonl`, `ndjson` and `json-lines`
        /// are ``jsonl``, `csv` is ``csv``; `nil` for any other extension.
        public init?(fileExtension: String) {
            switch fileExtension.lowercased() {
            case "jsonl", "ndjson", "json-lines": self = .jsonl
            case "csv": self = .csv
            default: return nil
            }
        }

        private init(kind: Kind) {
            self.kind = kind
        }

        /// `"JSONL"` or `"CSV"`.
        public var description: String {
            switch kind {
            case .jsonl: "JSONL"
            case .csv: "CSV"
            }
        }
    }
}
