import OrderedCollections

/// The rows of a ``Dataset`` as an asynchronous sequence of ``Example``s, read from the file as they are
/// requested.
///
/// Make one with ``Dataset/rows()``. Iterating opens the file and reads it incrementally in file order
/// (64 KiB at a time), so memory holds about one row whatever the file's size; each iterator reads the file
/// anew. A bad row either ends the iteration with a ``DatasetError`` before it would be yielded
/// (``BadRowPolicy/stop``) or is skipped and recorded in ``skippedRows`` (``BadRowPolicy/skip``), which the
/// caller should report:
///
/// ```swift
/// let rows = dataset.rows()
/// var count = 0
/// for try await example in rows {
///     count += 1
/// }
/// print("read \(count) examples, skipped \(rows.skippedRowCount) bad rows")
/// for error in rows.skippedRows { print(error) }
/// ```
///
/// Iteration ends early, without an error, when the task is cancelled. Reads are synchronous file reads of
/// one chunk at a time.
public struct DatasetRows: AsyncSequence, Sendable {
    /// Each row becomes an example.
    public typealias Element = Example
    /// Reading fails with a ``DatasetError`` only.
    public typealias Failure = DatasetError

    /// How many skipped rows' errors ``skippedRows`` keeps; ``skippedRowCount`` counts beyond it.
    public static let maximumReportedSkips = 1000

    let dataset: Dataset
    private let log = SkippedRowLog()

    init(dataset: Dataset) {
        self.dataset = dataset
    }

    /// The errors of the rows skipped so far under ``BadRowPolicy/skip``, in file order (the first
    /// ``maximumReportedSkips`` of them), by every iterator of this sequence.
    public var skippedRows: [DatasetError] { log.errors }

    /// How many rows have been skipped so far under ``BadRowPolicy/skip`` by every iterator of this sequence.
    public var skippedRowCount: Int { log.count }

    /// An iterator that opens the file on its first ``Iterator/next()`` and reads it from the start.
    public func makeAsyncIterator() -> Iterator {
        Iterator(dataset: dataset, log: log)
    }

    /// Reads a dataset's rows one at a time; see ``DatasetRows``.
    public struct Iterator: AsyncIteratorProtocol {
        /// Each row becomes an example.
        public typealias Element = Example
        /// Reading fails with a ``DatasetError`` only.
        public typealias Failure = DatasetError

        private enum State {
            case notStarted
            case reading(any DatasetRowReader)
            case finished
        }

        private let dataset: Dataset
        private let log: SkippedRowLog
        private var state = State.notStarted
        private var yielded = 0
        /// Whether an empty value counts as missing for required fields (CSV cells are never `null`).
        private var emptyIsMissing = false

        init(dataset: Dataset, log: SkippedRowLog) {
            self.dataset = dataset
            self.log = log
        }

        /// The next example, or `nil` after the last row, at the limit, or when the task is cancelled.
        ///
        /// - Throws: ``DatasetError`` when the file cannot be read or, under ``BadRowPolicy/stop``, at a bad row;
        ///   after an error the iterator returns `nil`.
        public mutating func next() async throws(DatasetError) -> Example? {
            try nextExample()
        }

        /// The next example; see ``next()``.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(DatasetError) -> Example? {
            try nextExample()
        }

        private mutating func nextExample() throws(DatasetError) -> Example? {
            let configuration = dataset.configuration
            if let limit = configuration.limit, yielded >= limit { state = .finished }
            if Task.isCancelled { state = .finished }
            let reader: any DatasetRowReader
            switch state {
            case .finished:
                return nil
            case .reading(let current):
                reader = current
            case .notStarted:
                do {
                    reader = try open()
                } catch {
                    state = .finished
                    throw error
                }
                state = .reading(reader)
            }
            do throws(DatasetError) {
                while let raw = try reader.nextRow() {
                    switch example(from: raw) {
                    case .success(let example):
                        yielded += 1
                        return example
                    case .failure(let error):
                        guard configuration.onBadRow == .skip else { throw error }
                        log.record(error)
                    }
                }
            } catch {
                state = .finished
                throw error
            }
            state = .finished
            return nil
        }

        private mutating func open() throws(DatasetError) -> any DatasetRowReader {
            let path = dataset.displayPath
            switch try dataset.resolvedFormat().kind {
            case .jsonl:
                return try JSONLRowReader(url: dataset.url, displayPath: path)
            case .csv:
                emptyIsMissing = true
                return try CSVRowReader(
                    url: dataset.url, displayPath: path, requiredFields: dataset.configuration.requiredFields
                )
            }
        }

        /// Applies required fields, the id field and input keys to a row read from the file.
        private func example(from raw: RawDatasetRow) -> Result<Example, DatasetError> {
            let values: OrderedDictionary<String, Value>
            switch raw.content {
            case .success(let read): values = read
            case .failure(let error): return .failure(error)
            }
            let configuration = dataset.configuration
            for field in configuration.requiredFields where !Self.hasValue(values[field], emptyIsMissing) {
                return .failure(
                    DatasetError(
                        code: .missingField, file: dataset.displayPath, row: raw.row, line: raw.line, field: field,
                        reason: "has no value for required field '\(field)'"
                    )
                )
            }
            let id = values[configuration.idField].flatMap { Self.hasValue($0, true) ? $0.plainText : nil }
            return .success(Example(values, inputKeys: configuration.inputKeys, id: id ?? String(raw.row)))
        }

        /// Whether a field has a value: present and not `null` (and, for CSV, not an empty cell).
        private static func hasValue(_ value: Value?, _ emptyIsMissing: Bool) -> Bool {
            switch value {
            case nil, .null?: false
            case .string("")? where emptyIsMissing: false
            default: true
            }
        }
    }
}
