import Synchronization

/// The concurrent half of ``BoundedChannel``: holds the state machine in a `Mutex`, suspends tasks with
/// continuations, and resumes continuations only after releasing the lock.
///
/// Every operation first tries the non-suspending transition; only when that says `.suspend` does it create a
/// continuation and register it, under a waiter id, inside `withTaskCancellationHandler`. The cancellation
/// handler removes the waiter by id. Registration reads `Task.isCancelled` under the same lock, so a task that is
/// cancelled before it registers is resumed at once instead of being registered (its handler, which ran
/// earlier, found nothing to remove).
struct BoundedChannelStorage<Element: Sendable>: ~Copyable, Sendable {
    typealias StateMachine = BoundedChannelStateMachine<
        Element,
        UnsafeContinuation<Void, any Error>,
        UnsafeContinuation<Element?, Never>
    >

    private let stateMachine: Mutex<StateMachine>

    init(capacity: Int) {
        stateMachine = Mutex(StateMachine(capacity: capacity))
    }

    var count: Int {
        stateMachine.withLock { $0.count }
    }

    var isFinished: Bool {
        stateMachine.withLock { $0.isFinished }
    }

    var suspendedSenderCount: Int {
        stateMachine.withLock { $0.suspendedSenderCount }
    }

    var suspendedReceiverCount: Int {
        stateMachine.withLock { $0.suspendedReceiverCount }
    }

    // MARK: Sending

    func send(_ element: Element) async throws {
        let action = stateMachine.withLock { $0.send(element) }
        switch action {
        case .enqueued:
            return
        case .resumeReceiver(let receiver, let element):
            receiver.resume(returning: element)
            return
        case .finished:
            throw BoundedChannelError.finished
        case .suspend(let id):
            try await sendSuspending(element, id: id)
        }
    }

    private func sendSuspending(_ element: Element, id: UInt64) async throws {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let action = stateMachine.withLock {
                    $0.sendSuspended(element, continuation: continuation, id: id, isCancelled: Task.isCancelled)
                }
                switch action {
                case .wait:
                    break
                case .resumeSender:
                    continuation.resume()
                case .resumeSenderAndReceiver(let receiver, let element):
                    receiver.resume(returning: element)
                    continuation.resume()
                case .failSenderFinished:
                    continuation.resume(throwing: BoundedChannelError.finished)
                case .failSenderCancelled:
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let action = stateMachine.withLock { $0.sendCancelled(id: id) }
            switch action {
            case .none:
                break
            case .failSender(let sender):
                sender.resume(throwing: CancellationError())
            }
        }
    }

    func trySend(_ element: Element) -> Bool {
        let action = stateMachine.withLock { $0.trySend(element) }
        switch action {
        case .enqueued:
            return true
        case .resumeReceiver(let receiver, let element):
            receiver.resume(returning: element)
            return true
        case .full, .finished:
            return false
        }
    }

    // MARK: Receiving

    func receive() async -> Element? {
        let action = stateMachine.withLock { $0.receive() }
        switch action {
        case .element(let element, let admittedSender):
            admittedSender?.resume()
            return element
        case .finished:
            return nil
        case .suspend(let id):
            return await receiveSuspending(id: id)
        }
    }

    private func receiveSuspending(id: UInt64) async -> Element? {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Element?, Never>) in
                let action = stateMachine.withLock {
                    $0.receiveSuspended(continuation: continuation, id: id, isCancelled: Task.isCancelled)
                }
                switch action {
                case .wait:
                    break
                case .resumeReceiver(let element, let admittedSender):
                    admittedSender?.resume()
                    continuation.resume(returning: element)
                case .resumeReceiverWithNil:
                    continuation.resume(returning: nil)
                }
            }
        } onCancel: {
            let action = stateMachine.withLock { $0.receiveCancelled(id: id) }
            switch action {
            case .none:
                break
            case .resumeReceiverWithNil(let receiver):
                receiver.resume(returning: nil)
            }
        }
    }

    // MARK: Finishing

    func finish() {
        let termination = stateMachine.withLock { $0.finish() }
        resume(termination)
    }

    func cancel() -> Int {
        let termination = stateMachine.withLock { $0.cancel() }
        resume(termination)
        return termination.droppedCount
    }

    private func resume(_ termination: StateMachine.Termination) {
        for sender in termination.senders {
            sender.resume(throwing: BoundedChannelError.finished)
        }
        for receiver in termination.receivers {
            receiver.resume(returning: nil)
        }
    }
}
