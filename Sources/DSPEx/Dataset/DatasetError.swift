/// A dataset file that could not be read, or one of its rows that could not become an example.
///
/// The error says where: the ``file`` as it was given, the 1-based ``row`` (for JSONL the line number; for
/// CSV the record number after the header), the physical ``line`` (CSV records can span lines), the JSON
/// ``column`` when known, and the ``field`` concerned. Its description is one sentence:
///
/// ```text
/// data/dev.jsonl:17: row 17 is not valid JSON at column 12: expected ',' or '}'
/// data/dev.csv: row 4 (line 5) has no value for required field 'question'
/// ```
///
/// ```swift
/// do {
///     _ = try await dataset.examples()
/// } catch {
///     print(error)          // data/dev.jsonl:17: row 17 ...
///     print(error.row ?? 0) // 17
/// }
/// ```
public struct DatasetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is.
    public var code: Code
    /// The dataset file, as its URL's relative path.
    public var file: String
    /// The 1-based data row: the line number in JSONL, the record number after the header in CSV.
    public var row: Int?
    /// The 1-based physical line where the row (or the header) starts.
    public var line: Int?
    /// The 1-based column of a JSON problem within its line, or of a CSV header cell.
    public var column: Int?
    /// The field the problem concerns, such as a missing required field.
    public var field: String?
    /// What is wrong, phrased to follow "row N" (or the file name when there is no row):
    /// `"is not valid JSON at column 12: expected ','"`.
    public var reason: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What kind of problem this is.
    ///   - file: The dataset file as shown to a person.
    ///   - row: The 1-based data row, if the problem is in a row.
    ///   - line: The 1-based physical line, if known.
    ///   - column: The 1-based column, if known.
    ///   - field: The field concerned, if any.
    ///   - reason: The rest of the sentence after the location.
    public init(
        code: Code, file: String, row: Int? = nil, line: Int? = nil, column: Int? = nil, field: String? = nil,
        reason: String
    ) {
        self.code = code
        self.file = file
        self.row = row
        self.line = line
        self.column = column
        self.field = field
        self.reason = reason
    }

    /// One sentence: `file:line: row N reason` when the row is its line (JSONL), `file: row N (line L) reason`
    /// when they differ (CSV), `file:line: reason` without a row, `file: reason` without a position.
    public var description: String {
        switch (row, line) {
        case (let row?, let line?) where row == line: "\(file):\(line): row \(row) \(reason)"
        case (let row?, let line?): "\(file): row \(row) (line \(line)) \(reason)"
        case (let row?, nil): "\(file): row \(row) \(reason)"
        case (nil, let line?): "\(file):\(line): \(reason)"
        case (nil, nil): "\(file): \(reason)"
        }
    }
}

extension DatasetError {
    /// The kind of a ``DatasetError``.
    ///
    /// A struct with static members rather than an enum, so that codes can be added without breaking
    /// exhaustive `switch`es in callers; compare with `==`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code's name, such as `"invalidJSON"`.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The file does not exist, is a directory, or reading it failed.
        public static let unreadableFile = Code("unreadableFile")
        /// A JSONL row is not valid JSON (or not valid UTF-8).
        public static let invalidJSON = Code("invalidJSON")
        /// A JSONL row is valid JSON but not an object.
        public static let notAnObject = Code("notAnObject")
        /// A row has no value for a required field, or a CSV header lacks a required column.
        public static let missingField = Code("missingField")
        /// The CSV header is missing or names a column twice or not at all, a record has the wrong number of
        /// cells or malformed quoting, or the text is not valid UTF-8.
        public static let invalidCSV = Code("invalidCSV")
        /// No format was configured and the file extension names none.
        public static let unknownFormat = Code("unknownFormat")

        /// The code's ``name``.
        public var description: String { name }
    }
}
