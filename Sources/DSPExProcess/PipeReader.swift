import Foundation
import Synchronization

/// Drains a pipe on its own thread so a chatty child never blocks on a full pipe.
final class PipeReader: Sendable {
    private let data = Mutex(Data())
    private let done = DispatchSemaphore(value: 0)

    /// Starts reading `descriptor` to its end; the reader closes it.
    init(descriptor: Int32) {
        Thread.detachNewThread { [self] in
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            let all = handle.readDataToEndOfFile()
            data.withLock { $0 = all }
            done.signal()
        }
    }

    /// What was read, once the pipe has closed (waiting at most 5 seconds).
    func text() -> String {
        if done.wait(timeout: .now() + 5) == .success { done.signal() }
        return data.withLock { String(decoding: $0, as: UTF8.self) }
    }
}
