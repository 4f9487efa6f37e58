import Foundation

extension Dataset {
    /// The number of rows a JSONL file holds (non-blank lines, capped by the configured limit), for progress;
    /// `nil` for CSV (a record may span lines) or an unreadable file. Reads the file in 1 MiB pieces.
    public func estimatedRowCount() -> Int? {
        let path = url.path
        guard path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson"), let handle = FileHandle(forReadingAtPath: path)
        else { return nil }
        defer { try? handle.close() }
        var count = 0
        var lineHasText = false
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            for byte in chunk {
                if byte == UInt8(ascii: "\n") {
                    if lineHasText { count += 1 }
                    lineHasText = false
                } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\t") {
                    lineHasText = true
                }
            }
        }
        if lineHasText { count += 1 }
        return configuration.limit.map { min($0, count) } ?? count
    }
}
