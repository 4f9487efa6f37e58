import ArgumentParser
import DSPEx
import Foundation
import Synchronization

/// Writes one JSON line per example result to a file or standard output, in 64 KiB batches.
final class ResultWriter: Sendable {
    private let handle: FileHandle
    private let closesHandle: Bool
    private let buffer = Mutex("")

    /// Opens `path` for writing (created or truncated), or standard output when `nil`.
    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ValidationError("cannot create the output file \(path)")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            closesHandle = true
        } else {
            handle = FileHandle.standardOutput
            closesHandle = false
        }
    }

    /// `{"id": ..., "outputs": {...}, "error": null | {"stage", "message"}}`
    static func line(_ result: ExampleResult) -> String {
        let error: Value = result.error.map { ["stage": .string($0.stage), "message": .string($0.message)] } ?? .null
        let record: Value = ["id": .string(result.example.id), "outputs": .object(result.outputs), "error": error]
        return record.jsonString()
    }

    func write(_ result: ExampleResult) {
        let full = buffer.withLock { text -> String? in
            text += ResultWriter.line(result)
            text += "\n"
            guard text.utf8.count >= 64 * 1024 else { return nil }
            defer { text = "" }
            return text
        }
        if let full { handle.write(Data(full.utf8)) }
    }

    /// Writes what is buffered and closes the file.
    func close() throws {
        let rest = buffer.withLock { text -> String in
            defer { text = "" }
            return text
        }
        if !rest.isEmpty { handle.write(Data(rest.utf8)) }
        if closesHandle { try handle.close() }
    }
}
