import Foundation

/// Splits a file into lines, reading it in fixed-size chunks so that memory holds one chunk and one line.
///
/// Lines end with `\n`; a `\r` before it is dropped, as is a UTF-8 byte order mark at the start of the
/// file. A last line without a newline is returned too.
final class LineReader {
    private let handle: FileHandle
    private let displayPath: String
    private var buffer: [UInt8] = []
    /// The first unread byte of `buffer`.
    private var start = 0
    /// Bytes before this index have been searched for a newline.
    private var scanned = 0
    private var reachedEnd = false
    /// The 1-based number of the line last returned.
    private(set) var lineNumber = 0

    init(url: URL, displayPath: String) throws(DatasetError) {
        handle = try DatasetFile.open(url, displayPath: displayPath)
        self.displayPath = displayPath
    }

    deinit {
        try? handle.close()
    }

    /// The next line without its line ending, or `nil` after the last line.
    ///
    /// The slice is only valid until the next call.
    func nextLine() throws(DatasetError) -> ArraySlice<UInt8>? {
        while true {
            if let newline = findNewline() {
                let line = buffer[start..<newline]
                start = newline + 1
                scanned = start
                return finish(line)
            }
            if reachedEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                scanned = start
                return finish(line)
            }
            try fill()
        }
    }

    private func finish(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        lineNumber += 1
        var line = line
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if lineNumber == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        return line
    }

    /// The index of the next `\n` at or after `scanned`, found with `memchr`.
    private func findNewline() -> Int? {
        let from = scanned
        let found: Int? = buffer.withUnsafeBufferPointer { bytes in
            guard from < bytes.count, let base = bytes.baseAddress else { return nil }
            guard let match = memchr(base + from, Int32(UInt8(ascii: "\n")), bytes.count - from) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(match))
        }
        if found == nil { scanned = buffer.count }
        return found
    }

    /// Drops the bytes already returned and appends the next chunk of the file.
    private func fill() throws(DatasetError) {
        if start > 0 {
            buffer.removeFirst(start)
            scanned -= start
            start = 0
        }
        let chunk: Data?
        do {
            chunk = try handle.read(upToCount: DatasetFile.chunkSize)
        } catch {
            throw DatasetFile.unreadable(
                displayPath, "cannot be read after line \(lineNumber): \(error.localizedDescription)"
            )
        }
        guard let chunk, !chunk.isEmpty else {
            reachedEnd = true
            return
        }
        buffer.append(contentsOf: chunk)
    }
}
