import Foundation

/// The `InputStream` that yaslab/CSV.swift's `CSVReader` reads a dataset file through: it reads the file in
/// chunks with a `FileHandle` and passes every byte through a ``CSVQuoteChecker``.
///
/// It also answers `hasBytesAvailable` exactly (by reading one chunk ahead), where Foundation's file stream
/// on Linux keeps answering `true` at the end and `CSVReader` then reports a read error.
final class CSVInputStream: InputStream {
    private let handle: FileHandle
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var reachedEnd = false
    private var status = Stream.Status.notOpen
    private var readError: (any Error)?
    /// The quoting check over every byte read so far.
    private(set) var checker = CSVQuoteChecker()

    init(handle: FileHandle) {
        self.handle = handle
        super.init(data: Data())
    }

    deinit {
        try? handle.close()
    }

    override func open() {
        if status == .notOpen { status = .open }
    }

    override func close() {
        status = .closed
    }

    override var streamStatus: Stream.Status { status }

    override var streamError: (any Error)? { readError }

    override var hasBytesAvailable: Bool {
        fillIfEmpty()
        return pendingStart < pending.count
    }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength length: Int) -> Int {
        fillIfEmpty()
        if readError != nil { return -1 }
        let count = min(length, pending.count - pendingStart)
        guard count > 0 else { return 0 }
        pending.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return }
            buffer.update(from: base + pendingStart, count: count)
        }
        pendingStart += count
        return count
    }

    override func getBuffer(
        _ buffer: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, length: UnsafeMutablePointer<Int>
    ) -> Bool {
        false
    }

    /// Reads the next chunk when everything read so far has been handed out.
    private func fillIfEmpty() {
        guard pendingStart >= pending.count, !reachedEnd, readError == nil, status == .open else { return }
        do {
            let chunk = try handle.read(upToCount: DatasetFile.chunkSize)
            pending = chunk.map(Array.init) ?? []
            pendingStart = 0
        } catch {
            readError = error
            status = .error
            return
        }
        if pending.isEmpty {
            reachedEnd = true
            status = .atEnd
            checker.finish()
        } else {
            pending.withUnsafeBufferPointer { checker.scan($0) }
        }
    }
}
