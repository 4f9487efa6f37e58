import Foundation
import OrderedCollections

/// Reads JSONL: one JSON object per line; blank lines are skipped, and the row number is the line number.
final class JSONLRowReader: DatasetRowReader {
    private let lines: LineReader
    private let displayPath: String

    init(url: URL, displayPath: String) throws(DatasetError) {
        lines = try LineReader(url: url, displayPath: displayPath)
        self.displayPath = displayPath
    }

    func nextRow() throws(DatasetError) -> RawDatasetRow? {
        while let bytes = try lines.nextLine() {
            if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            let number = lines.lineNumber
            return RawDatasetRow(row: number, line: number, content: parse(bytes, number: number))
        }
        return nil
    }

    private func parse(
        _ bytes: ArraySlice<UInt8>, number: Int
    ) -> Result<OrderedDictionary<String, Value>, DatasetError> {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(bad(.invalidJSON, number, reason: "is not valid UTF-8"))
        }
        let value: Value
        do {
            value = try Value(json: text)
        } catch {
            return .failure(
                bad(
                    .invalidJSON, number, column: error.column,
                    reason: "is not valid JSON at column \(error.column): \(error.message)")
            )
        }
        guard case .object(let object) = value else {
            return .failure(bad(.notAnObject, number, reason: "is a JSON \(Self.kind(of: value)), not an object"))
        }
        return .success(object)
    }

    private func bad(_ code: DatasetError.Code, _ number: Int, column: Int? = nil, reason: String) -> DatasetError {
        DatasetError(code: code, file: displayPath, row: number, line: number, column: column, reason: reason)
    }

    private static func kind(of value: Value) -> String {
        switch value {
        case .null: "null"
        case .bool: "Boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
