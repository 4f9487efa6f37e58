import Foundation

/// Opening a dataset file for reading, with errors that say why it cannot be read.
enum DatasetFile {
    /// The size of the chunks files are read in.
    static let chunkSize = 64 * 1024

    /// Opens `url` for reading.
    ///
    /// - Throws: ``DatasetError/Code/unreadableFile`` when the file does not exist, is a directory, or
    ///   cannot be opened.
    static func open(_ url: URL, displayPath: String) throws(DatasetError) -> FileHandle {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw unreadable(displayPath, "does not exist")
        }
        if isDirectory.boolValue { throw unreadable(displayPath, "is a directory, not a file") }
        do {
            return try FileHandle(forReadingFrom: url)
        } catch {
            throw unreadable(displayPath, "cannot be opened: \(error.localizedDescription)")
        }
    }

    /// An ``DatasetError/Code/unreadableFile`` error.
    static func unreadable(_ displayPath: String, _ reason: String, line: Int? = nil) -> DatasetError {
        DatasetError(code: .unreadableFile, file: displayPath, line: line, reason: reason)
    }
}
