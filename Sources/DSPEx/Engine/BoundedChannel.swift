/// A first-in first-out channel with a fixed capacity, for several sending and several receiving tasks.
///
/// The engine joins the stages of a program with bounded channels: upstream stages and the dataset source send,
/// a stage's workers receive. When the buffer is full, `send(_:)` suspends until a receiver makes room
/// (backpressure), so memory is bounded by the capacities, not by the size of the dataset. Each element is
/// delivered to exactly one receiver; waiting senders and waiting receivers are served in the order they began
/// to wait.
///
/// ```swift
/// let channel = BoundedChannel<Int>(capacity: 16)
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     group.addTask {
///         for number in 1...100 {
///             try await channel.send(number)  // waits while 16 numbers are buffered
///         }
///         channel.finish()
///     }
///     for worker in 1...4 {
///         group.addTask {
///             for await number in channel {  // each number reaches one worker
///                 print("worker \(worker) got \(number)")
///             }
///         }
///     }
///     try await group.waitForAll()
/// }
/// ```
///
/// Ending a channel:
/// - ``finish()`` when the senders are done: buffered elements are still delivered, then receivers get `nil`.
/// - ``cancel()`` when the run failed: buffered elements are dropped as well.
///
/// Cancellation: an operation that can complete at once does so even in a cancelled task. A cancelled task
/// never waits: a sender that would have to wait throws `CancellationError`, a receiver that would have to wait
/// returns `nil`. Cancelling a task that is already waiting has the same effect, and the element of a cancelled
/// sender is never delivered.
///
/// Swift-async-algorithms' channels do not fit here: `AsyncChannel` has no buffer, and its multi-producer
/// channel allows a single consumer and bounds its buffer only by a watermark.
public final class BoundedChannel<Element: Sendable>: Sendable {
    /// The most elements the channel buffers before `send(_:)` waits.
    public let capacity: Int
    private let storage: BoundedChannelStorage<Element>

    /// Creates an empty channel.
    ///
    /// - Parameter capacity: The most elements buffered at once; at least 1.
    public init(capacity: Int) {
        guard capacity >= 1 else {
            preconditionFailure("A bounded channel needs a capacity of at least 1, got \(capacity).")
        }
        self.capacity = capacity
        self.storage = BoundedChannelStorage(capacity: capacity)
    }

    /// Sends an element, waiting while the channel is full.
    ///
    /// The element goes straight to a waiting receiver if there is one, else into the buffer if it has room;
    /// otherwise the caller waits for room, behind senders that began waiting earlier.
    ///
    /// - Parameter element: The element to send.
    /// - Throws: ``BoundedChannelError/finished`` if the channel was finished or cancelled, before or while
    ///   waiting; `CancellationError` if the task is cancelled while it would have to wait. In both cases the
    ///   element is not enqueued.
    public func send(_ element: Element) async throws {
        try await storage.send(element)
    }

    /// Sends an element if that is possible without waiting.
    ///
    /// - Parameter element: The element to send.
    /// - Returns: `true` if the element was handed to a receiver or buffered; `false` if the channel is full or
    ///   finished, in which case the element is not enqueued.
    public func trySend(_ element: Element) -> Bool {
        storage.trySend(element)
    }

    /// Receives the next element, waiting while the channel is empty.
    ///
    /// Receivers that wait are served in the order they began waiting.
    ///
    /// - Returns: The next element; `nil` once the channel is finished and drained, or if the task is cancelled
    ///   while it would have to wait (only this receiver is affected; the channel stays open).
    public func receive() async -> Element? {
        await storage.receive()
    }

    /// Ends sending. Safe to call more than once.
    ///
    /// Buffered elements are still delivered; waiting senders throw ``BoundedChannelError/finished`` (their
    /// elements are not enqueued); receivers get `nil` once the buffer is drained, waiting ones at once.
    public func finish() {
        storage.finish()
    }

    /// Ends sending and drops the buffered elements, for a run that failed. Safe to call more than once, also
    /// after ``finish()``.
    ///
    /// Waiting senders throw ``BoundedChannelError/finished``; receivers get `nil`.
    ///
    /// - Returns: The number of buffered elements dropped.
    @discardableResult
    public func cancel() -> Int {
        storage.cancel()
    }

    /// The number of elements buffered now.
    public var count: Int {
        storage.count
    }

    /// Whether ``finish()`` or ``cancel()`` was called. Elements may still be buffered.
    public var isFinished: Bool {
        storage.isFinished
    }

    /// The number of senders waiting for room now: a sign that the consumers are the bottleneck.
    var suspendedSenderCount: Int {
        storage.suspendedSenderCount
    }

    /// The number of receivers waiting for an element now: a sign that the producers are the bottleneck.
    var suspendedReceiverCount: Int {
        storage.suspendedReceiverCount
    }
}

extension BoundedChannel: AsyncSequence {
    public typealias Failure = Never

    /// Iterating receives repeatedly. Several tasks may iterate the same channel at once; each element reaches
    /// one of them. Iteration ends when the channel is finished and drained, or when the iterating task is
    /// cancelled while it waits.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(channel: self)
    }

    /// Receives from a ``BoundedChannel``; returns `nil` for good after the first `nil`.
    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Failure = Never

        private let channel: BoundedChannel
        private var isDone = false

        fileprivate init(channel: BoundedChannel) {
            self.channel = channel
        }

        public mutating func next() async -> Element? {
            guard !isDone, let element = await channel.receive() else {
                isDone = true
                return nil
            }
            return element
        }
    }
}

/// Why a ``BoundedChannel`` operation failed.
public struct BoundedChannelError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case finished
    }

    private let code: Code

    /// The channel was finished or cancelled, so it accepts no more elements.
    public static let finished = BoundedChannelError(code: .finished)

    public var description: String {
        switch code {
        case .finished: "The channel is finished and accepts no more elements."
        }
    }
}
