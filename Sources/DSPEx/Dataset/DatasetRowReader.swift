import OrderedCollections

/// Reads one format's rows from a file, one at a time; ``DatasetRows`` turns them into examples.
protocol DatasetRowReader: AnyObject {
    /// The next non-blank row, or `nil` at the end of the file.
    ///
    /// A row that cannot be read (invalid JSON, wrong number of CSV cells) comes back as a ``RawDatasetRow``
    /// holding its error, so the bad-row policy decides; errors that end reading are thrown.
    func nextRow() throws(DatasetError) -> RawDatasetRow?
}

/// One row as read from a file, before required fields and ids are applied.
struct RawDatasetRow {
    /// The 1-based data row.
    var row: Int
    /// The 1-based physical line the row starts on.
    var line: Int
    /// The row's values in file order, or why the row is bad.
    var content: Result<OrderedDictionary<String, Value>, DatasetError>
}
