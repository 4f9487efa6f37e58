import CSV
import Foundation
import OrderedCollections

/// Reads CSV with a header row, streaming through yaslab/CSV.swift's `CSVReader` over a ``CSVInputStream``.
///
/// `CSVReader` parses RFC 4180 quoting (commas, `""` and line breaks inside quoted cells, `\r\n`, a UTF-8
/// byte order mark) but reports no positions, so this reader counts physical lines itself: a record takes one
/// line plus the line breaks inside its cells, which `CSVReader` keeps verbatim. Blank lines come back from
/// `CSVReader` as a record with one empty cell and are skipped, counting their line. `CSVReader` accepts
/// malformed quoting silently, so the stream's ``CSVQuoteChecker`` finds it and reading stops at the record
/// that holds it: the following lines could not be told apart from that record's cells.
final class CSVRowReader: DatasetRowReader {
    private let reader: CSVReader
    private let stream: CSVInputStream
    private let displayPath: String
    private var header: [String] = []
    /// The physical line the next record starts on.
    private var nextLine = 1
    /// Data records read so far.
    private var recordCount = 0

    /// Opens the file and reads and checks the header.
    ///
    /// - Throws: ``DatasetError`` when the file cannot be read, has no header, a header cell is empty or
    ///   repeated, or a required field has no column.
    init(url: URL, displayPath: String, requiredFields: [String]) throws(DatasetError) {
        let stream = CSVInputStream(handle: try DatasetFile.open(url, displayPath: displayPath))
        do {
            reader = try CSVReader(stream: stream)
        } catch {
            throw DatasetFile.unreadable(displayPath, "cannot be read: \(error)")
        }
        self.stream = stream
        self.displayPath = displayPath
        var line = 1
        var headerLine = 1
        var cells: [String]?
        while let record = try next(row: nil, line: line) {
            headerLine = line
            line += 1 + Self.lineBreaks(in: record)
            if !Self.isBlank(record) {
                cells = record
                break
            }
        }
        guard let cells else {
            throw DatasetError(code: .invalidCSV, file: displayPath, reason: "has no header row")
        }
        try Self.check(header: cells, line: headerLine, requiredFields: requiredFields, displayPath: displayPath)
        header = cells
        nextLine = line
    }

    func nextRow() throws(DatasetError) -> RawDatasetRow? {
        while true {
            let line = nextLine
            let row = recordCount + 1
            guard let cells = try next(row: row, line: line) else {
                return nil
            }
            nextLine += 1 + Self.lineBreaks(in: cells)
            if Self.isBlank(cells) { continue }
            recordCount += 1
            guard cells.count == header.count else {
                let error = DatasetError(
                    code: .invalidCSV, file: displayPath, row: row, line: line,
                    reason: "has \(cells.count) \(cells.count == 1 ? "cell" : "cells") but the header has "
                        + "\(header.count) \(header.count == 1 ? "column" : "columns")"
                )
                return RawDatasetRow(row: row, line: line, content: .failure(error))
            }
            var values = OrderedDictionary<String, Value>(minimumCapacity: cells.count)
            for (name, cell) in zip(header, cells) { values[name] = .string(cell) }
            return RawDatasetRow(row: row, line: line, content: .success(values))
        }
    }

    /// The next record, which starts on physical line `line`, or `nil` at the end.
    ///
    /// - Throws: ``DatasetError`` when the record holds malformed quoting, or `CSVReader` met invalid UTF-8 or
    ///   a read error (it then cuts the record short and keeps the error for good).
    private func next(row: Int?, line: Int) throws(DatasetError) -> [String]? {
        let record = reader.next()
        if let problem = stream.checker.problem, problem.line < line + 1 + Self.lineBreaks(in: record ?? []) {
            throw quotingError(problem, row: row, line: line)
        }
        guard let error = reader.error else { return record }
        if case .unicodeDecoding = error as? CSVError {
            throw DatasetError(
                code: .invalidCSV, file: displayPath, row: row, line: line,
                reason: row == nil ? "the header is not valid UTF-8" : "is not valid UTF-8"
            )
        }
        throw DatasetFile.unreadable(displayPath, "cannot be read: \(error)", line: line)
    }

    /// The error for malformed quoting in the record (or header, when `row` is `nil`) starting on `line`.
    private func quotingError(_ problem: CSVQuoteChecker.Problem, row: Int?, line: Int) -> DatasetError {
        let position =
            problem.line == line ? "column \(problem.column)" : "line \(problem.line), column \(problem.column)"
        let what =
            switch problem.kind {
            case .textAfterClosingQuote:
                "has text after a closing quote at \(position) (write a quote inside a quoted cell as \"\")"
            case .unclosedQuote:
                "has a quote at \(position) that is never closed"
            }
        return DatasetError(
            code: .invalidCSV, file: displayPath, row: row, line: line, column: problem.column,
            reason: row == nil ? "the header \(what)" : what
        )
    }

    private static func check(
        header: [String], line: Int, requiredFields: [String], displayPath: String
    ) throws(DatasetError) {
        var seen: [String: Int] = [:]
        for (index, name) in header.enumerated() {
            let column = index + 1
            if name.allSatisfy(\.isWhitespace) {
                throw DatasetError(
                    code: .invalidCSV, file: displayPath, line: line, column: column,
                    reason: "column \(column) of the header has no name"
                )
            }
            if let first = seen[name] {
                throw DatasetError(
                    code: .invalidCSV, file: displayPath, line: line, column: column, field: name,
                    reason: "the header names column '\(name)' twice (columns \(first) and \(column))"
                )
            }
            seen[name] = column
        }
        if let missing = requiredFields.first(where: { seen[$0] == nil }) {
            throw DatasetError(
                code: .missingField, file: displayPath, line: line, field: missing,
                reason: "the header has no column for required field '\(missing)'"
            )
        }
    }

    /// A blank line: one cell of spaces or tabs (or nothing).
    private static func isBlank(_ cells: [String]) -> Bool {
        cells.count == 1 && cells[0].utf8.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }

    /// The line breaks (`\n`, `\r\n` or a lone `\r`) inside a record's cells.
    private static func lineBreaks(in cells: [String]) -> Int {
        var count = 0
        for cell in cells {
            var previousWasCR = false
            for byte in cell.utf8 {
                if byte == UInt8(ascii: "\n") {
                    if !previousWasCR { count += 1 }
                    previousWasCR = false
                } else if byte == UInt8(ascii: "\r") {
                    count += 1
                    previousWasCR = true
                } else {
                    previousWasCR = false
                }
            }
        }
        return count
    }
}
