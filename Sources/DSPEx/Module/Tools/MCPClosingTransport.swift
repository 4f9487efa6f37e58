import DSPExProcess
import Foundation
import Logging
import MCP

/// An MCP transport around another that notices the connection ending — the server exited, closed its output, or
/// the transport was disconnected.
///
/// The SDK's client reads the transport's message stream in a loop that starts over when the stream merely
/// finishes, so a server that exits leaves the client spinning a thread forever. Here the stream ends with
/// ``ConnectionClosed`` instead, which stops that loop, and ``closed`` fires, so that calls waiting for a reply fail
/// at once rather than at their timeout.
actor MCPClosingTransport: Transport {
    /// The error the message stream ends with once the connection has ended.
    struct ConnectionClosed: Error, CustomStringConvertible {
        var description: String { "the MCP server closed the connection" }
    }

    nonisolated let logger: Logger
    /// Fires once the connection has ended.
    nonisolated let closed = ExitSignal()
    private let base: any Transport
    private var messages: MessageIterator?

    init(_ base: any Transport) {
        self.base = base
        logger = Logger(label: "dspex.mcp.transport", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    func connect() async throws {
        try await base.connect()
        messages = MessageIterator(await base.receive())
    }

    func disconnect() async {
        await base.disconnect()
        closed.signal()
    }

    func send(_ data: Data) async throws {
        try await base.send(data)
    }

    func receive() -> AsyncThrowingStream<Data, Swift.Error> {
        guard let messages else {
            return AsyncThrowingStream { $0.finish(throwing: ConnectionClosed()) }
        }
        let closed = closed
        return AsyncThrowingStream {
            do {
                if let message = try await messages.next() { return message }
            } catch {
                closed.signal()
                throw error
            }
            closed.signal()
            throw ConnectionClosed()
        }
    }

    /// The one iterator over the wrapped transport's stream, shared by every stream ``receive()`` hands out (the
    /// client reads one at a time, so it is never advanced concurrently).
    private final class MessageIterator: @unchecked Sendable {
        private var iterator: AsyncThrowingStream<Data, Swift.Error>.AsyncIterator

        init(_ stream: AsyncThrowingStream<Data, Swift.Error>) {
            iterator = stream.makeAsyncIterator()
        }

        func next() async throws -> Data? {
            try await iterator.next()
        }
    }
}
