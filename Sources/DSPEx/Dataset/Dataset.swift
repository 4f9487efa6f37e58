import Foundation

/// A JSONL or CSV file of examples, read as a stream.
///
/// Use a dataset to feed evaluation and optimization: ``rows()`` reads the file incrementally, one row at a
/// time in file order, so memory stays at about one row however large the file is. ``examples()`` reads
/// everything for small training sets. A row that cannot become an ``Example`` (invalid JSON, a missing
/// required field, a CSV record with the wrong number of cells) is a *bad row*: by default reading stops with
/// a ``DatasetError`` naming the file and row; with ``BadRowPolicy/skip`` the row is skipped and reported in
/// ``DatasetRows/skippedRows``, never dropped silently.
///
/// ```swift
/// let dev = Dataset(
///     url: URL(fileURLWithPath: "data/dev.jsonl"),
///     configuration: .init(inputKeys: ["question"], requiredFields: ["question", "answer"])
/// )
/// for try await example in dev.rows() {
///     print(example.id, example.inputs)
/// }
/// ```
///
/// Each example's id is the value of the ``Configuration/idField`` column when a row has one, otherwise the
/// row number, so ids are stable across runs over the same file. ``contentHash()`` fingerprints the file so
/// that a resumed run can refuse a dataset that changed.
public struct Dataset: Sendable {
    /// The file to read.
    public var url: URL
    /// How to read it.
    public var configuration: Configuration

    /// Describes a dataset; nothing is read until ``rows()``, ``examples()`` or ``contentHash()`` is called.
    ///
    /// - Parameters:
    ///   - url: A file URL of a `.jsonl` (also `.ndjson`, `.json-lines`) or `.csv` file.
    ///   - configuration: The format, input keys, required fields, id field, bad-row policy and limit.
    public init(url: URL, configuration: Configuration = Configuration()) {
        self.url = url
        self.configuration = configuration
    }

    /// The path shown in errors: the path as the URL was given (relative paths stay relative).
    var displayPath: String { url.relativePath }

    /// Streams the rows in file order as examples, reading the file incrementally.
    ///
    /// Each call returns a new sequence with its own ``DatasetRows/skippedRows`` log; iterating it opens the
    /// file. Errors are ``DatasetError``s.
    ///
    /// ```swift
    /// let rows = dataset.rows()
    /// for try await example in rows { try await evaluate(example) }
    /// if rows.skippedRowCount > 0 { print("skipped \(rows.skippedRowCount) bad rows") }
    /// ```
    public func rows() -> DatasetRows {
        DatasetRows(dataset: self)
    }

    /// Reads every row into an array, for small training sets.
    ///
    /// Rows skipped under ``BadRowPolicy/skip`` are not returned here; use ``load()`` or ``rows()`` to learn
    /// which rows were skipped.
    ///
    /// ```swift
    /// let trainset = try await dataset.examples()
    /// ```
    ///
    /// - Throws: ``DatasetError`` when the file cannot be read or, under ``BadRowPolicy/stop``, at the first
    ///   bad row.
    public func examples() async throws(DatasetError) -> [Example] {
        try await load().examples
    }

    /// Reads every row into an array together with the rows that were skipped as bad.
    ///
    /// ```swift
    /// let (examples, skipped) = try await dataset.load()
    /// for error in skipped { print("skipped: \(error)") }
    /// ```
    ///
    /// - Returns: The examples in file order, and one ``DatasetError`` per skipped row (at most the first
    ///   ``DatasetRows/maximumReportedSkips``; ``DatasetRows/skippedRowCount`` counts them all).
    /// - Throws: ``DatasetError`` when the file cannot be read or, under ``BadRowPolicy/stop``, at the first
    ///   bad row.
    public func load() async throws(DatasetError) -> (examples: [Example], skippedRows: [DatasetError]) {
        let rows = rows()
        var iterator = rows.makeAsyncIterator()
        var examples: [Example] = []
        while let example = try await iterator.next() {
            examples.append(example)
        }
        return (examples, rows.skippedRows)
    }

    /// The format to read: the configured one, or the one the file extension names.
    ///
    /// - Throws: ``DatasetError/Code/unknownFormat`` when no format is configured and the extension is not
    ///   one of `.jsonl`, `.ndjson`, `.json-lines` or `.csv`.
    public func resolvedFormat() throws(DatasetError) -> Format {
        if let format = configuration.format { return format }
        if let format = Format(fileExtension: url.pathExtension) { return format }
        let shown = url.pathExtension.isEmpty ? "no extension" : "the extension '.\(url.pathExtension)'"
        throw DatasetError(
            code: .unknownFormat, file: displayPath,
            reason: "cannot tell the dataset format from \(shown); use .jsonl, .ndjson, .json-lines or .csv, "
                + "or set Configuration.format"
        )
    }
}
