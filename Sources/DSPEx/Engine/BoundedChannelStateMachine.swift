/// The synchronous core of ``BoundedChannel``: the buffer, the queues of waiting senders and receivers,
/// and every transition between them.
///
/// The machine never suspends, locks or resumes anything. Each transition changes the state and returns an
/// action that says which continuations the caller must resume, and how, once it has released its lock
/// (see `BoundedChannelStorage`). `Sender` and `Receiver` are the waiters' continuation types; they are
/// generic so that the machine can be tested with plain tokens, without tasks.
///
/// Invariants, which every transition keeps:
/// - `count <= capacity`;
/// - senders wait only while the buffer is full, receivers only while it is empty, so never both at once;
/// - once finished, nobody waits.
///
/// Senders and receivers are served in the order they began to wait (FIFO). A waiter is identified by an id
/// that the machine hands out when it reports `.suspend`; the caller registers the waiter under that id and,
/// if its task is cancelled, removes it with the same id.
struct BoundedChannelStateMachine<Element, Sender, Receiver> {
    private struct SuspendedSender {
        let id: UInt64
        let continuation: Sender
        let element: Element
    }

    private struct SuspendedReceiver {
        let id: UInt64
        let continuation: Receiver
    }

    /// The most elements the buffer holds.
    let capacity: Int
    private var buffer: BoundedChannelQueue<Element>
    private var suspendedSenders = BoundedChannelQueue<SuspendedSender>()
    private var suspendedReceivers = BoundedChannelQueue<SuspendedReceiver>()
    private var nextWaiterID: UInt64 = 0
    /// Whether `finish()` or `cancel()` was called: no more sends are accepted.
    private(set) var isFinished = false

    init(capacity: Int) {
        guard capacity >= 1 else {
            preconditionFailure("A bounded channel needs a capacity of at least 1, got \(capacity).")
        }
        self.capacity = capacity
        // Reserve a modest buffer up front; a large capacity grows on demand instead of being allocated unused.
        self.buffer = BoundedChannelQueue(minimumCapacity: Swift.min(capacity, 64))
    }

    /// The number of buffered elements.
    var count: Int { buffer.count }

    /// The number of senders waiting for room.
    var suspendedSenderCount: Int { suspendedSenders.count }

    /// The number of receivers waiting for an element.
    var suspendedReceiverCount: Int { suspendedReceivers.count }

    private mutating func makeWaiterID() -> UInt64 {
        defer { nextWaiterID &+= 1 }
        return nextWaiterID
    }

    // MARK: Sending

    enum SendAction {
        /// The element was appended to the buffer; the send is complete.
        case enqueued
        /// A receiver was waiting: resume it with the element; the send is complete.
        case resumeReceiver(Receiver, Element)
        /// The channel is finished: the send fails and the element is not enqueued.
        case finished
        /// The buffer is full: the sender must suspend and then call `sendSuspended` with this id.
        case suspend(id: UInt64)
    }

    /// A sender offers `element` without suspending yet.
    mutating func send(_ element: Element) -> SendAction {
        switch offer(element) {
        case .enqueued: .enqueued
        case .resumeReceiver(let receiver, let element): .resumeReceiver(receiver, element)
        case .finished: .finished
        case .full: .suspend(id: makeWaiterID())
        }
    }

    enum TrySendAction {
        /// The element was appended to the buffer.
        case enqueued
        /// A receiver was waiting: resume it with the element.
        case resumeReceiver(Receiver, Element)
        /// The buffer is full; nothing changed.
        case full
        /// The channel is finished; nothing changed.
        case finished
    }

    /// A sender offers `element` and gives up if it cannot be delivered at once.
    mutating func trySend(_ element: Element) -> TrySendAction {
        offer(element)
    }

    private mutating func offer(_ element: Element) -> TrySendAction {
        if isFinished {
            return .finished
        }
        if let receiver = suspendedReceivers.popFirst() {
            // Receivers wait only on an empty buffer, so handing over directly keeps FIFO order.
            return .resumeReceiver(receiver.continuation, element)
        }
        if buffer.count < capacity {
            buffer.append(element)
            return .enqueued
        }
        return .full
    }

    enum SendSuspendedAction {
        /// The sender is registered; a receive, `finish`, `cancel` or cancellation of its task resumes it later.
        case wait
        /// Room appeared meanwhile and the element was enqueued: resume the sender.
        case resumeSender
        /// A receiver began waiting meanwhile: resume it with the element, and resume the sender.
        case resumeSenderAndReceiver(Receiver, Element)
        /// The channel was finished meanwhile: the sender throws `BoundedChannelError.finished`.
        case failSenderFinished
        /// The sender's task is cancelled and the element could not be delivered at once: the sender throws
        /// `CancellationError`.
        case failSenderCancelled
    }

    /// A sender that was told to `.suspend` registers with its continuation.
    ///
    /// The state may have changed since `send(_:)`, so the offer is tried again first. `isCancelled` must be
    /// read while the lock that guards the machine is held: together with `sendCancelled(id:)` this guarantees
    /// that a sender cancelled before it registered is never registered.
    mutating func sendSuspended(
        _ element: Element,
        continuation: Sender,
        id: UInt64,
        isCancelled: Bool
    ) -> SendSuspendedAction {
        switch offer(element) {
        case .enqueued:
            return .resumeSender
        case .resumeReceiver(let receiver, let element):
            return .resumeSenderAndReceiver(receiver, element)
        case .finished:
            return .failSenderFinished
        case .full:
            if isCancelled {
                return .failSenderCancelled
            }
            suspendedSenders.append(SuspendedSender(id: id, continuation: continuation, element: element))
            return .wait
        }
    }

    enum SendCancelledAction {
        /// The sender is not waiting (already resumed, or not yet registered): nothing to do.
        case none
        /// The sender was waiting and is now removed: it throws `CancellationError`; its element is dropped.
        case failSender(Sender)
    }

    /// The task of the sender with this id was cancelled.
    mutating func sendCancelled(id: UInt64) -> SendCancelledAction {
        guard let sender = suspendedSenders.remove(where: { $0.id == id }) else {
            return .none
        }
        return .failSender(sender.continuation)
    }

    // MARK: Receiving

    enum ReceiveAction {
        /// Return this element. If `admittedSender` is set, the element freed room for that waiting sender,
        /// whose element is now enqueued: resume it.
        case element(Element, admittedSender: Sender?)
        /// The channel is finished and drained: return nil.
        case finished
        /// The buffer is empty: the receiver must suspend and then call `receiveSuspended` with this id.
        case suspend(id: UInt64)
    }

    /// A receiver asks for the next element without suspending yet.
    mutating func receive() -> ReceiveAction {
        if let (element, sender) = take() {
            return .element(element, admittedSender: sender)
        }
        return isFinished ? .finished : .suspend(id: makeWaiterID())
    }

    /// Takes the first buffered element and, as that frees a slot, admits the first waiting sender.
    private mutating func take() -> (Element, Sender?)? {
        guard let element = buffer.popFirst() else {
            return nil
        }
        // Senders wait only on a full buffer, so exactly one slot is free now: give it to the longest waiter.
        guard let sender = suspendedSenders.popFirst() else {
            return (element, nil)
        }
        buffer.append(sender.element)
        return (element, sender.continuation)
    }

    enum ReceiveSuspendedAction {
        /// The receiver is registered; a send, `finish`, `cancel` or cancellation of its task resumes it later.
        case wait
        /// An element arrived meanwhile: resume the receiver with it, and resume `admittedSender` if set.
        case resumeReceiver(Element, admittedSender: Sender?)
        /// The channel is finished and drained, or the receiver's task is cancelled: resume it with nil.
        case resumeReceiverWithNil
    }

    /// A receiver that was told to `.suspend` registers with its continuation.
    ///
    /// An element that arrived since `receive()` is delivered even to a cancelled task. `isCancelled` must be
    /// read while the lock that guards the machine is held (see `sendSuspended`).
    mutating func receiveSuspended(continuation: Receiver, id: UInt64, isCancelled: Bool) -> ReceiveSuspendedAction {
        if let (element, sender) = take() {
            return .resumeReceiver(element, admittedSender: sender)
        }
        if isFinished || isCancelled {
            return .resumeReceiverWithNil
        }
        suspendedReceivers.append(SuspendedReceiver(id: id, continuation: continuation))
        return .wait
    }

    enum ReceiveCancelledAction {
        /// The receiver is not waiting (already resumed, or not yet registered): nothing to do.
        case none
        /// The receiver was waiting and is now removed: resume it with nil.
        case resumeReceiverWithNil(Receiver)
    }

    /// The task of the receiver with this id was cancelled.
    mutating func receiveCancelled(id: UInt64) -> ReceiveCancelledAction {
        guard let receiver = suspendedReceivers.remove(where: { $0.id == id }) else {
            return .none
        }
        return .resumeReceiverWithNil(receiver.continuation)
    }

    // MARK: Finishing

    /// The waiters to resume when the channel finishes.
    struct Termination {
        /// Waiting senders: each throws `BoundedChannelError.finished`; their elements are not enqueued.
        var senders: [Sender] = []
        /// Waiting receivers: each is resumed with nil.
        var receivers: [Receiver] = []
        /// The number of buffered elements dropped (only by `cancel()`).
        var droppedCount = 0
    }

    /// No more sends. Buffered elements stay for the receivers; waiting senders and receivers are released.
    mutating func finish() -> Termination {
        guard !isFinished else {
            return Termination()
        }
        isFinished = true
        // At most one of the two queues is non-empty; a waiting receiver means the buffer is empty.
        var termination = Termination()
        termination.senders.reserveCapacity(suspendedSenders.count)
        while let sender = suspendedSenders.popFirst() {
            termination.senders.append(sender.continuation)
        }
        termination.receivers.reserveCapacity(suspendedReceivers.count)
        while let receiver = suspendedReceivers.popFirst() {
            termination.receivers.append(receiver.continuation)
        }
        return termination
    }

    /// Like `finish()`, and drops the buffered elements too. May follow `finish()` to drop what is left.
    mutating func cancel() -> Termination {
        var termination = finish()
        termination.droppedCount = buffer.count
        buffer.removeAll()
        return termination
    }
}

extension BoundedChannelStateMachine.SendAction: Equatable
where Element: Equatable, Sender: Equatable, Receiver: Equatable {}
extension BoundedChannelStateMachine.TrySendAction: Equatable
where Element: Equatable, Sender: Equatable, Receiver: Equatable {}
extension BoundedChannelStateMachine.SendSuspendedAction: Equatable
where Element: Equatable, Sender: Equatable, Receiver: Equatable {}
extension BoundedChannelStateMachine.SendCancelledAction: Equatable
where Element: Equatable, Sender: Equatable, Receiver: Equatable {}
extension BoundedChannelStateMachine.ReceiveAction: Equatable
where Element: Equatable, Sender: Equatable, Receiver: Equatable {}
extension BoundedChannelStateMachine.ReceiveSuspendedAction: Equatable
where Element: Equatable, Sender: Equatable, Receiver: Equatable {}
extension BoundedChannelStateMachine.ReceiveCancelledAction: Equatable
where Element: Equatable, Sender: Equatable, Receiver: Equatable {}
extension BoundedChannelStateMachine.Termination: Equatable
where Element: Equatable, Sender: Equatable, Receiver: Equatable {}

/// A growable FIFO ring buffer: amortised O(1) append and removal at the front, no allocation once it has
/// grown to its working size.
///
/// A stand-in for swift-collections' `Deque`, whose `DequeModule` product is not a dependency of the target.
/// `append`, `popFirst` and `removeAll` are named as in `Deque`; `remove(where:)` would become
/// `firstIndex(where:)` plus `remove(at:)`.
private struct BoundedChannelQueue<Item> {
    private var slots: [Item?]
    private var head = 0
    private(set) var count = 0

    init(minimumCapacity: Int = 0) {
        slots = Array(repeating: nil, count: minimumCapacity)
    }

    /// The slot index of the item `offset` places after the head.
    private func slot(_ offset: Int) -> Int {
        let index = head + offset
        return index < slots.count ? index : index - slots.count
    }

    mutating func append(_ item: Item) {
        if count == slots.count {
            grow()
        }
        slots[slot(count)] = item
        count += 1
    }

    mutating func popFirst() -> Item? {
        guard count > 0 else {
            return nil
        }
        let item = slots[head].take()
        head = slot(1)
        count -= 1
        return item
    }

    /// Removes and returns the first item that matches, keeping the others in order. O(count).
    mutating func remove(where matches: (Item) -> Bool) -> Item? {
        guard let offset = (0..<count).first(where: { slots[slot($0)].map(matches) ?? false }) else {
            return nil
        }
        let item = slots[slot(offset)].take()
        for next in offset..<(count - 1) {
            slots[slot(next)] = slots[slot(next + 1)].take()
        }
        count -= 1
        return item
    }

    mutating func removeAll() {
        while popFirst() != nil {}
        head = 0
    }

    private mutating func grow() {
        let newCapacity = Swift.max(2 * slots.count, 4)
        var newSlots = [Item?]()
        newSlots.reserveCapacity(newCapacity)
        for offset in 0..<count {
            newSlots.append(slots[slot(offset)].take())
        }
        newSlots.append(contentsOf: repeatElement(nil, count: newCapacity - count))
        slots = newSlots
        head = 0
    }
}
