import Crypto
import Foundation

extension Dataset {
    /// The SHA-256 of the file's bytes as 64 lowercase hex digits, read in chunks.
    ///
    /// Store it with a run to refuse resuming on a dataset that changed since:
    ///
    /// ```swift
    /// let hash = try dataset.contentHash() // "9f86d081884c7d65..."
    /// ```
    ///
    /// - Throws: ``DatasetError/Code/unreadableFile`` when the file cannot be read.
    public func contentHash() throws(DatasetError) -> String {
        let handle = try DatasetFile.open(url, displayPath: displayPath)
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: DatasetFile.chunkSize)
            } catch {
                throw DatasetFile.unreadable(displayPath, "cannot be read: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().hex
    }
}
