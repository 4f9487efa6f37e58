/// What a ``Dataset`` does with a row that cannot become an example.
///
/// A bad row is one that is not valid JSON, not a JSON object, misses a required field, or is a CSV record
/// with a different number of cells than the header. With ``stop`` (the default) reading throws a
/// ``DatasetError`` at the first bad row, before yielding it; the examples before it have been yielded.
/// With ``skip`` the row is left out, and its error is recorded in ``DatasetRows/skippedRows`` so the
/// caller can report how many rows were skipped and why.
///
/// Errors after which the rest of the file cannot be trusted stop reading under either policy: an unreadable
/// file, an unknown format, a bad CSV header, and in CSV malformed quoting or invalid UTF-8.
///
/// ```swift
/// let configuration = Dataset.Configuration(requiredFields: ["question"], onBadRow: .skip)
/// ```
public struct BadRowPolicy: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case stop
        case skip
    }

    let kind: Kind

    /// Throw a ``DatasetError`` at the first bad row.
    public static let stop = BadRowPolicy(kind: .stop)
    /// Skip bad rows and record each in ``DatasetRows/skippedRows``.
    public static let skip = BadRowPolicy(kind: .skip)

    private init(kind: Kind) {
        self.kind = kind
    }

    /// `"stop"` or `"skip"`.
    public var description: String {
        switch kind {
        case .stop: "stop"
        case .skip: "skip"
        }
    }
}
