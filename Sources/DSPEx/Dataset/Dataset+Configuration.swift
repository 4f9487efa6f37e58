extension Dataset {
    /// How a ``Dataset`` reads its file: the format, which fields are inputs and required, where ids come
    /// from, what to do with a bad row, and how many examples to read.
    ///
    /// ```swift
    /// var configuration = Dataset.Configuration(inputKeys: ["question"], requiredFields: ["question", "answer"])
    /// configuration.onBadRow = .skip
    /// configuration.limit = 100
    /// ```
    public struct Configuration: Sendable {
        /// The file format; `nil` takes it from the file extension (`.jsonl`, `.ndjson`, `.json-lines` are
        /// JSONL; `.csv` is CSV; anything else is a ``DatasetError/Code/unknownFormat`` error).
        public var format: Format?
        /// The fields that are the task's inputs (``Example/inputKeys``); the others are labels.
        public var inputKeys: [String]
        /// Fields every row must have. A row without one of them, or with `null` (in CSV: an empty cell), is a
        /// bad row. In CSV, a header without one of these columns is an error before any row is read.
        public var requiredFields: [String]
        /// The field whose value (as plain text) is the example id; a row without it, or with `null` or an
        /// empty value, gets its 1-based row number as id.
        public var idField: String
        /// What to do with a bad row: stop with an error (the default) or skip it and report it.
        public var onBadRow: BadRowPolicy
        /// The largest number of examples to read; `nil` reads them all. Rows after the limit are not read.
        public var limit: Int?

        /// Creates a configuration; every parameter has a default.
        ///
        /// - Parameters:
        ///   - format: The file format, or `nil` to take it from the file extension.
        ///   - inputKeys: The fields that are inputs.
        ///   - requiredFields: The fields every row must have a value for.
        ///   - idField: The field that holds the example id (default `"id"`).
        ///   - onBadRow: ``BadRowPolicy/stop`` (default) or ``BadRowPolicy/skip``.
        ///   - limit: The largest number of examples to read.
        public init(
            format: Format? = nil, inputKeys: [String] = [], requiredFields: [String] = [], idField: String = "id",
            onBadRow: BadRowPolicy = .stop, limit: Int? = nil
        ) {
            self.format = format
            self.inputKeys = inputKeys
            self.requiredFields = requiredFields
            self.idField = idField
            self.onBadRow = onBadRow
            self.limit = limit
        }
    }
}
