import Foundation
import Synchronization
import Testing

@testable import DSPEx

/// The channel with real tasks. Interleavings are forced by waiting (with `Task.yield`, never a sleep) until the
/// channel reports the waiters a test needs, then acting.
@Suite(.timeLimit(.minutes(3)))
struct BoundedChannelTests {
    /// Yields until `condition` holds; the suite's time limit turns a missed condition into a failure.
    func waitUntil(_ condition: () -> Bool) async {
        while !condition() {
            await Task.yield()
        }
    }

    /// A count shared by tasks.
    final class Counter: Sendable {
        private let count = Atomic(0)
        var value: Int { count.load(ordering: .relaxed) }
        func increment() { count.add(1, ordering: .relaxed) }
    }

    /// Runs `body` in a task that is cancelled before `body` starts.
    func inCancelledTask<Result: Sendable>(
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await body()
        }
        return try await task.value
    }

    @Test("send suspends while the channel is full and resumes after a receive")
    func sendSuspendsWhenFull() async throws {
        let channel = BoundedChannel<Int>(capacity: 2)
        try await channel.send(1)
        try await channel.send(2)
        let sender = Task { try await channel.send(3) }
        await waitUntil { channel.suspendedSenderCount == 1 }
        #expect(channel.count == channel.capacity)

        #expect(await channel.receive() == 1)
        try await sender.value
        #expect(channel.suspendedSenderCount == 0)
        #expect(channel.count == 2)
        #expect(await channel.receive() == 2)
        #expect(await channel.receive() == 3)
    }

    @Test("waiting senders are admitted in the order they began to wait")
    func waitingSendersAreFIFO() async throws {
        let channel = BoundedChannel<Int>(capacity: 1)
        try await channel.send(0)
        var senders: [Task<Void, any Error>] = []
        for element in 1...3 {
            senders.append(Task { try await channel.send(element) })
            await waitUntil { channel.suspendedSenderCount == element }
        }
        var received: [Int] = []
        for _ in 0...3 {
            received.append(await channel.receive() ?? -1)
        }
        for sender in senders {
            try await sender.value
        }
        #expect(received == [0, 1, 2, 3])
    }

    @Test("a send goes straight to a waiting receiver, in the order receivers began to wait")
    func sendHandsOverToWaitingReceivers() async throws {
        let channel = BoundedChannel<Int>(capacity: 4)
        let first = Task { await channel.receive() }
        await waitUntil { channel.suspendedReceiverCount == 1 }
        let second = Task { await channel.receive() }
        await waitUntil { channel.suspendedReceiverCount == 2 }

        try await channel.send(1)
        #expect(channel.trySend(2))
        #expect(channel.count == 0)
        #expect(await first.value == 1)
        #expect(await second.value == 2)
    }

    @Test("one producer and one consumer see FIFO order")
    func fifoSingleProducerConsumer() async throws {
        let channel = BoundedChannel<Int>(capacity: 3)
        async let produced: Void = {
            for element in 0..<1_000 {
                try await channel.send(element)
            }
            channel.finish()
        }()
        var received: [Int] = []
        while let element = await channel.receive() {
            received.append(element)
        }
        try await produced
        #expect(received == Array(0..<1_000))
    }

    @Test(
        "four producers and four consumers deliver every element exactly once",
        arguments: [1, 8, 64]
    )
    func manyProducersManyConsumers(capacity: Int) async throws {
        let producers = 4
        let consumers = 4
        let perProducer = 10_000
        let channel = BoundedChannel<Int>(capacity: capacity)

        let batches = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<consumers {
                group.addTask {
                    var received: [Int] = []
                    while let element = await channel.receive() {
                        received.append(element)
                    }
                    return received
                }
            }
            group.addTask {
                try await withThrowingTaskGroup(of: Void.self) { senders in
                    for producer in 0..<producers {
                        senders.addTask {
                            for index in 0..<perProducer {
                                try await channel.send(producer * perProducer + index)
                            }
                        }
                    }
                    try await senders.waitForAll()
                }
                channel.finish()
                return []
            }
            var batches: [[Int]] = []
            for try await batch in group where !batch.isEmpty {
                batches.append(batch)
            }
            return batches
        }

        let all = batches.flatMap { $0 }
        let total = producers * perProducer
        #expect(all.count == total)
        #expect(Set(all).count == total)
        #expect(all.reduce(0, +) == total * (total - 1) / 2)
        // Each consumer sees each producer's elements in the order they were sent.
        for batch in batches {
            var last = [Int](repeating: -1, count: producers)
            for element in batch {
                let producer = element / perProducer
                #expect(element > last[producer])
                last[producer] = element
            }
        }
        #expect(channel.count == 0)
    }

    @Test("no element is lost or duplicated when senders and receivers are cancelled mid-flight")
    func cancellationUnderLoad() async throws {
        for _ in 0..<10 {
            let channel = BoundedChannel<Int>(capacity: 4)
            let receivedCount = Counter()
            let perProducer = 2_000
            let producers = (0..<4).map { producer in
                Task {
                    var sent: [Int] = []
                    for index in 0..<perProducer {
                        do {
                            try await channel.send(producer * perProducer + index)
                            sent.append(producer * perProducer + index)
                        } catch is CancellationError {
                            break
                        }
                    }
                    return sent
                }
            }
            let consumers = (0..<4).map { _ in
                Task {
                    var received: [Int] = []
                    while let element = await channel.receive() {
                        received.append(element)
                        receivedCount.increment()
                    }
                    return received
                }
            }
            // Cancel half the producers and half the consumers once traffic flows; the others carry on.
            await waitUntil { receivedCount.value >= 500 }
            producers[0].cancel()
            consumers[0].cancel()
            await waitUntil { receivedCount.value >= 1_500 }
            producers[1].cancel()
            consumers[1].cancel()

            var sent: [Int] = []
            for producer in producers {
                sent += try await producer.value
            }
            channel.finish()
            var received: [Int] = []
            for consumer in consumers {
                received += await consumer.value
            }
            #expect(received.count == sent.count)
            #expect(received.sorted() == sent.sorted())
            #expect(sent.count >= 2 * perProducer)
        }
    }

    @Test("finish lets receivers drain the buffer, then they get nil")
    func finishDrains() async throws {
        let channel = BoundedChannel<Int>(capacity: 4)
        for element in 1...3 {
            try await channel.send(element)
        }
        channel.finish()
        #expect(channel.isFinished)
        #expect(channel.count == 3)
        #expect(await channel.receive() == 1)
        #expect(await channel.receive() == 2)
        #expect(await channel.receive() == 3)
        #expect(await channel.receive() == nil)
        #expect(await channel.receive() == nil)
    }

    @Test("finish resumes waiting receivers with nil")
    func finishReleasesReceivers() async {
        let channel = BoundedChannel<Int>(capacity: 2)
        let first = Task { await channel.receive() }
        let second = Task { await channel.receive() }
        await waitUntil { channel.suspendedReceiverCount == 2 }
        channel.finish()
        #expect(await first.value == nil)
        #expect(await second.value == nil)
    }

    @Test("send after finish throws finished and trySend returns false")
    func sendAfterFinish() async {
        let channel = BoundedChannel<Int>(capacity: 2)
        channel.finish()
        channel.finish()
        await #expect(throws: BoundedChannelError.finished) {
            try await channel.send(1)
        }
        #expect(!channel.trySend(1))
        #expect(channel.count == 0)
        #expect(BoundedChannelError.finished.description.contains("finished"))
    }

    @Test("finish makes a waiting sender throw finished without enqueuing its element")
    func finishFailsWaitingSender() async throws {
        let channel = BoundedChannel<Int>(capacity: 1)
        try await channel.send(1)
        let sender = Task { try await channel.send(2) }
        await waitUntil { channel.suspendedSenderCount == 1 }
        channel.finish()
        await #expect(throws: BoundedChannelError.finished) {
            try await sender.value
        }
        #expect(await channel.receive() == 1)
        #expect(await channel.receive() == nil)
    }

    @Test("trySend enqueues while there is room and returns false when full")
    func trySendWhenFull() async {
        let channel = BoundedChannel<Int>(capacity: 1)
        #expect(channel.trySend(1))
        #expect(!channel.trySend(2))
        #expect(channel.count == 1)
        #expect(await channel.receive() == 1)
    }

    @Test("cancelling a suspended sender throws CancellationError and its element never arrives")
    func cancelSuspendedSender() async throws {
        let channel = BoundedChannel<Int>(capacity: 1)
        try await channel.send(1)
        let sender = Task { try await channel.send(2) }
        await waitUntil { channel.suspendedSenderCount == 1 }
        sender.cancel()
        await #expect(throws: CancellationError.self) {
            try await sender.value
        }
        #expect(channel.suspendedSenderCount == 0)
        #expect(await channel.receive() == 1)
        try await channel.send(3)
        channel.finish()
        #expect(await channel.receive() == 3)
        #expect(await channel.receive() == nil)
    }

    @Test("a cancelled task's send throws CancellationError when it would wait, and succeeds when it need not")
    func sendFromCancelledTask() async throws {
        let channel = BoundedChannel<Int>(capacity: 1)
        try await inCancelledTask { try await channel.send(1) }
        #expect(channel.count == 1)
        await #expect(throws: CancellationError.self) {
            try await inCancelledTask { try await channel.send(2) }
        }
        #expect(channel.suspendedSenderCount == 0)
        channel.finish()
        #expect(await channel.receive() == 1)
        #expect(await channel.receive() == nil)
    }

    @Test("cancelling a suspended receiver returns nil to that receiver only")
    func cancelSuspendedReceiver() async throws {
        let channel = BoundedChannel<Int>(capacity: 2)
        let cancelled = Task { await channel.receive() }
        await waitUntil { channel.suspendedReceiverCount == 1 }
        let other = Task { await channel.receive() }
        await waitUntil { channel.suspendedReceiverCount == 2 }

        cancelled.cancel()
        #expect(await cancelled.value == nil)
        #expect(channel.suspendedReceiverCount == 1)
        #expect(!channel.isFinished)
        try await channel.send(7)
        #expect(await other.value == 7)
        #expect(channel.count == 0)
    }

    @Test("a cancelled task's receive returns nil on an empty channel but takes a buffered element")
    func receiveFromCancelledTask() async throws {
        let channel = BoundedChannel<Int>(capacity: 1)
        #expect(try await inCancelledTask { await channel.receive() } == nil)
        #expect(channel.suspendedReceiverCount == 0)
        try await channel.send(5)
        #expect(try await inCancelledTask { await channel.receive() } == 5)
    }

    @Test("cancel drops buffered elements, returns their count and releases waiting senders")
    func cancelDropsBuffered() async throws {
        let channel = BoundedChannel<Int>(capacity: 2)
        try await channel.send(1)
        try await channel.send(2)
        let sender = Task { try await channel.send(3) }
        await waitUntil { channel.suspendedSenderCount == 1 }
        #expect(channel.cancel() == 2)
        await #expect(throws: BoundedChannelError.finished) {
            try await sender.value
        }
        #expect(channel.isFinished)
        #expect(channel.count == 0)
        #expect(await channel.receive() == nil)
        #expect(channel.cancel() == 0)
    }

    @Test("capacity 1 passes elements through in order")
    func capacityOne() async throws {
        let channel = BoundedChannel<Int>(capacity: 1)
        #expect(channel.capacity == 1)
        async let produced: Void = {
            for element in 0..<2_000 {
                try await channel.send(element)
                #expect(channel.count <= 1)
            }
            channel.finish()
        }()
        var received: [Int] = []
        for await element in channel {
            received.append(element)
        }
        try await produced
        #expect(received == Array(0..<2_000))
    }

    @Test("several tasks iterating with for await receive each element exactly once")
    func severalIterators() async throws {
        let channel = BoundedChannel<Int>(capacity: 4)
        let received = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<3 {
                group.addTask {
                    var received: [Int] = []
                    for await element in channel {
                        received.append(element)
                    }
                    return received
                }
            }
            for element in 1...3_000 {
                try await channel.send(element)
            }
            channel.finish()
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(received.count == 3_000)
        #expect(Set(received) == Set(1...3_000))
    }

    @Test("an iterator returns nil for good once it has returned nil")
    func iteratorEnds() async throws {
        let channel = BoundedChannel<Int>(capacity: 2)
        let results = try await inCancelledTask {
            var iterator = channel.makeAsyncIterator()
            let first = await iterator.next()  // cancelled on an empty channel
            _ = channel.trySend(1)
            let second = await iterator.next()  // the element stays for other receivers
            return [first, second]
        }
        #expect(results == [nil, nil])
        #expect(await channel.receive() == 1)
    }

    @Test("a capacity below 1 stops the program")
    func capacityBelowOne() async {
        // The child process stops on purpose: without this, Swift's crash handler symbolicates its backtrace
        // against the whole debug test binary, which can keep a core busy for minutes.
        setenv("SWIFT_BACKTRACE", "enable=no", 1)
        await #expect(processExitsWith: .failure) {
            _ = BoundedChannel<Int>(capacity: 0)
        }
    }
}
