import Testing

@testable import DSPEx

/// The channel's transitions, driven by hand without tasks: waiters are string tokens instead of continuations.
@Suite(.timeLimit(.minutes(3)))
struct BoundedChannelStateMachineTests {
    typealias Machine = BoundedChannelStateMachine<Int, String, String>

    /// A machine whose buffer holds `elements`.
    func makeMachine(capacity: Int, holding elements: [Int] = []) -> Machine {
        var machine = Machine(capacity: capacity)
        for element in elements {
            #expect(machine.send(element) == .enqueued)
        }
        return machine
    }

    /// Registers a receiver on an empty machine and returns its id.
    func suspendReceiver(_ token: String, on machine: inout Machine) -> UInt64? {
        guard case .suspend(let id) = machine.receive() else {
            Issue.record("receive did not ask \(token) to suspend")
            return nil
        }
        #expect(machine.receiveSuspended(continuation: token, id: id, isCancelled: false) == .wait)
        return id
    }

    /// Registers a sender of `element` on a full machine and returns its id.
    func suspendSender(_ token: String, sending element: Int, on machine: inout Machine) -> UInt64? {
        guard case .suspend(let id) = machine.send(element) else {
            Issue.record("send did not ask \(token) to suspend")
            return nil
        }
        #expect(machine.sendSuspended(element, continuation: token, id: id, isCancelled: false) == .wait)
        return id
    }

    // MARK: Sending

    @Test("send to an empty channel enqueues the element")
    func sendToEmpty() {
        var machine = Machine(capacity: 2)
        #expect(machine.send(1) == .enqueued)
        #expect(machine.count == 1)
        #expect(machine.trySend(2) == .enqueued)
        #expect(machine.count == 2)
    }

    @Test("send hands the element straight to the receiver that waited first")
    func sendToWaitingReceiver() {
        var machine = Machine(capacity: 2)
        _ = suspendReceiver("r1", on: &machine)
        _ = suspendReceiver("r2", on: &machine)
        #expect(machine.send(1) == .resumeReceiver("r1", 1))
        #expect(machine.trySend(2) == .resumeReceiver("r2", 2))
        #expect(machine.count == 0)
        #expect(machine.suspendedReceiverCount == 0)
    }

    @Test("send to a full channel asks the sender to suspend; trySend reports full")
    func sendToFull() {
        var machine = makeMachine(capacity: 2, holding: [1, 2])
        guard case .suspend = machine.send(3) else {
            Issue.record("send to a full channel did not suspend")
            return
        }
        #expect(machine.trySend(3) == .full)
        #expect(machine.count == 2)
        #expect(machine.suspendedSenderCount == 0)
    }

    @Test("each suspension gets its own waiter id")
    func uniqueIDs() {
        var machine = Machine(capacity: 1)
        var ids: [UInt64] = []
        for _ in 0..<2 {
            if case .suspend(let id) = machine.receive() { ids.append(id) }
        }
        #expect(machine.send(1) == .enqueued)  // neither receiver registered, so nothing was handed over
        for _ in 0..<2 {
            if case .suspend(let id) = machine.send(2) { ids.append(id) }
        }
        #expect(ids.count == 4)
        #expect(Set(ids).count == 4)
    }

    @Test("a sender that registers after room appeared is enqueued without waiting")
    func senderRegistersAfterRoomAppeared() {
        var machine = makeMachine(capacity: 1, holding: [1])
        guard case .suspend(let id) = machine.send(2) else {
            Issue.record("send to a full channel did not suspend")
            return
        }
        #expect(machine.receive() == .element(1, admittedSender: nil))
        #expect(machine.sendSuspended(2, continuation: "s", id: id, isCancelled: false) == .resumeSender)
        #expect(machine.count == 1)
        #expect(machine.suspendedSenderCount == 0)
    }

    @Test("a sender that registers after a receiver began waiting hands its element over")
    func senderRegistersAfterReceiverWaits() {
        var machine = makeMachine(capacity: 1, holding: [1])
        guard case .suspend(let id) = machine.send(2) else {
            Issue.record("send to a full channel did not suspend")
            return
        }
        #expect(machine.receive() == .element(1, admittedSender: nil))
        _ = suspendReceiver("r", on: &machine)
        #expect(
            machine.sendSuspended(2, continuation: "s", id: id, isCancelled: false)
                == .resumeSenderAndReceiver("r", 2)
        )
        #expect(machine.count == 0)
        #expect(machine.suspendedReceiverCount == 0)
    }

    // MARK: Receiving

    @Test("receive takes buffered elements in FIFO order")
    func receiveFromBuffer() {
        var machine = makeMachine(capacity: 3, holding: [1, 2, 3])
        #expect(machine.receive() == .element(1, admittedSender: nil))
        #expect(machine.receive() == .element(2, admittedSender: nil))
        #expect(machine.send(4) == .enqueued)
        #expect(machine.receive() == .element(3, admittedSender: nil))
        #expect(machine.receive() == .element(4, admittedSender: nil))
        #expect(machine.count == 0)
    }

    @Test("receive from a full channel admits exactly one waiting sender, the first")
    func receiveAdmitsWaitingSender() {
        var machine = makeMachine(capacity: 2, holding: [1, 2])
        _ = suspendSender("s3", sending: 3, on: &machine)
        _ = suspendSender("s4", sending: 4, on: &machine)
        #expect(machine.suspendedSenderCount == 2)

        #expect(machine.receive() == .element(1, admittedSender: "s3"))
        #expect(machine.count == 2)
        #expect(machine.suspendedSenderCount == 1)
        #expect(machine.receive() == .element(2, admittedSender: "s4"))
        #expect(machine.receive() == .element(3, admittedSender: nil))
        #expect(machine.receive() == .element(4, admittedSender: nil))
        #expect(machine.count == 0)
    }

    @Test("receive from an empty channel asks the receiver to suspend")
    func receiveFromEmpty() {
        var machine = Machine(capacity: 2)
        guard case .suspend(let id) = machine.receive() else {
            Issue.record("receive from an empty channel did not suspend")
            return
        }
        #expect(machine.receiveSuspended(continuation: "r", id: id, isCancelled: false) == .wait)
        #expect(machine.suspendedReceiverCount == 1)
    }

    @Test("a receiver that registers after an element arrived takes it without waiting")
    func receiverRegistersAfterElementArrived() {
        var machine = Machine(capacity: 1)
        guard case .suspend(let id) = machine.receive() else {
            Issue.record("receive from an empty channel did not suspend")
            return
        }
        #expect(machine.send(1) == .enqueued)
        #expect(
            machine.receiveSuspended(continuation: "r", id: id, isCancelled: false)
                == .resumeReceiver(1, admittedSender: nil))
        #expect(machine.suspendedReceiverCount == 0)
    }

    // MARK: Finishing

    @Test("finish resumes waiting receivers with nil, and later receives get nil")
    func finishWithWaitingReceivers() {
        var machine = Machine(capacity: 2)
        _ = suspendReceiver("r1", on: &machine)
        _ = suspendReceiver("r2", on: &machine)
        #expect(machine.finish() == Machine.Termination(senders: [], receivers: ["r1", "r2"], droppedCount: 0))
        #expect(machine.isFinished)
        #expect(machine.suspendedReceiverCount == 0)
        #expect(machine.receive() == .finished)
    }

    @Test("finish fails waiting senders and keeps buffered elements for receivers")
    func finishWithWaitingSenders() {
        var machine = makeMachine(capacity: 2, holding: [1, 2])
        _ = suspendSender("s3", sending: 3, on: &machine)
        _ = suspendSender("s4", sending: 4, on: &machine)
        #expect(machine.finish() == Machine.Termination(senders: ["s3", "s4"], receivers: [], droppedCount: 0))
        #expect(machine.suspendedSenderCount == 0)
        #expect(machine.receive() == .element(1, admittedSender: nil))
        #expect(machine.receive() == .element(2, admittedSender: nil))
        #expect(machine.receive() == .finished)
    }

    @Test("send, trySend and registration after finish report finished; finishing again does nothing")
    func sendAfterFinish() {
        var machine = makeMachine(capacity: 2, holding: [1, 2])
        guard case .suspend(let id) = machine.send(3) else {
            Issue.record("send to a full channel did not suspend")
            return
        }
        _ = machine.finish()
        #expect(machine.send(9) == .finished)
        #expect(machine.trySend(9) == .finished)
        #expect(machine.sendSuspended(3, continuation: "late", id: id, isCancelled: false) == .failSenderFinished)
        #expect(machine.finish() == Machine.Termination())
        #expect(machine.count == 2)
    }

    @Test("a receiver that registers after finish gets nil")
    func receiverRegistersAfterFinish() {
        var machine = Machine(capacity: 1)
        guard case .suspend(let id) = machine.receive() else {
            Issue.record("receive from an empty channel did not suspend")
            return
        }
        _ = machine.finish()
        #expect(machine.receiveSuspended(continuation: "r", id: id, isCancelled: false) == .resumeReceiverWithNil)
        #expect(machine.suspendedReceiverCount == 0)
    }

    @Test("cancel drops buffered elements and fails waiting senders")
    func cancelDropsBuffered() {
        var machine = makeMachine(capacity: 2, holding: [1, 2])
        _ = suspendSender("s3", sending: 3, on: &machine)
        #expect(machine.cancel() == Machine.Termination(senders: ["s3"], receivers: [], droppedCount: 2))
        #expect(machine.count == 0)
        #expect(machine.receive() == .finished)
        #expect(machine.send(4) == .finished)
    }

    @Test("cancel after finish drops the elements still buffered")
    func cancelAfterFinish() {
        var machine = makeMachine(capacity: 3, holding: [1, 2, 3])
        _ = machine.finish()
        #expect(machine.receive() == .element(1, admittedSender: nil))
        #expect(machine.cancel() == Machine.Termination(senders: [], receivers: [], droppedCount: 2))
        #expect(machine.receive() == .finished)
    }

    // MARK: Cancellation of waiters

    @Test("a cancelled waiting sender is removed; its element is never delivered")
    func cancelWaitingSender() {
        var machine = makeMachine(capacity: 1, holding: [1])
        let first = suspendSender("s2", sending: 2, on: &machine)
        _ = suspendSender("s3", sending: 3, on: &machine)
        #expect(machine.sendCancelled(id: first ?? .max) == .failSender("s2"))
        #expect(machine.sendCancelled(id: first ?? .max) == .none)
        #expect(machine.suspendedSenderCount == 1)
        #expect(machine.receive() == .element(1, admittedSender: "s3"))
        #expect(machine.receive() == .element(3, admittedSender: nil))
    }

    @Test("a cancelled waiting receiver is removed; later elements go to the others")
    func cancelWaitingReceiver() {
        var machine = Machine(capacity: 1)
        let first = suspendReceiver("r1", on: &machine)
        _ = suspendReceiver("r2", on: &machine)
        #expect(machine.receiveCancelled(id: first ?? .max) == .resumeReceiverWithNil("r1"))
        #expect(machine.receiveCancelled(id: first ?? .max) == .none)
        #expect(machine.suspendedReceiverCount == 1)
        #expect(machine.send(1) == .resumeReceiver("r2", 1))
    }

    @Test("a waiter that is already resumed ignores its cancellation")
    func cancelAfterResume() {
        var machine = makeMachine(capacity: 1, holding: [1])
        let sender = suspendSender("s", sending: 2, on: &machine)
        #expect(machine.receive() == .element(1, admittedSender: "s"))
        #expect(machine.sendCancelled(id: sender ?? .max) == .none)
        #expect(machine.receive() == .element(2, admittedSender: nil))
        let receiver = suspendReceiver("r", on: &machine)
        #expect(machine.send(3) == .resumeReceiver("r", 3))
        #expect(machine.receiveCancelled(id: receiver ?? .max) == .none)
    }

    @Test("a sender cancelled before it registers is not registered")
    func senderCancelledBeforeRegistering() {
        var machine = makeMachine(capacity: 1, holding: [1])
        guard case .suspend(let id) = machine.send(2) else {
            Issue.record("send to a full channel did not suspend")
            return
        }
        // The cancellation handler runs first and finds nothing; registration then sees the cancelled task.
        #expect(machine.sendCancelled(id: id) == .none)
        #expect(machine.sendSuspended(2, continuation: "s", id: id, isCancelled: true) == .failSenderCancelled)
        #expect(machine.suspendedSenderCount == 0)
        #expect(machine.receive() == .element(1, admittedSender: nil))
        #expect(machine.count == 0)
    }

    @Test("a cancelled sender still delivers when room appeared before it registered")
    func cancelledSenderWithRoom() {
        var machine = makeMachine(capacity: 1, holding: [1])
        guard case .suspend(let id) = machine.send(2) else {
            Issue.record("send to a full channel did not suspend")
            return
        }
        #expect(machine.receive() == .element(1, admittedSender: nil))
        #expect(machine.sendSuspended(2, continuation: "s", id: id, isCancelled: true) == .resumeSender)
        #expect(machine.receive() == .element(2, admittedSender: nil))
    }

    @Test("a receiver cancelled before it registers gets nil and is not registered")
    func receiverCancelledBeforeRegistering() {
        var machine = Machine(capacity: 1)
        guard case .suspend(let id) = machine.receive() else {
            Issue.record("receive from an empty channel did not suspend")
            return
        }
        #expect(machine.receiveCancelled(id: id) == .none)
        #expect(machine.receiveSuspended(continuation: "r", id: id, isCancelled: true) == .resumeReceiverWithNil)
        #expect(machine.suspendedReceiverCount == 0)
        #expect(machine.send(1) == .enqueued)
    }

    @Test("a cancelled receiver still takes an element that arrived before it registered")
    func cancelledReceiverWithElement() {
        var machine = Machine(capacity: 1)
        guard case .suspend(let id) = machine.receive() else {
            Issue.record("receive from an empty channel did not suspend")
            return
        }
        #expect(machine.send(1) == .enqueued)
        #expect(
            machine.receiveSuspended(continuation: "r", id: id, isCancelled: true)
                == .resumeReceiver(1, admittedSender: nil))
    }

    @Test("the buffer wraps around and grows without losing order")
    func bufferWrapsAndGrows() {
        var machine = Machine(capacity: 100)
        var expected: [Int] = []
        var received: [Int] = []
        var next = 0
        // Interleave sends and receives so the ring buffer's head moves while it grows.
        for round in 1...20 {
            for _ in 0..<(round * 3 % 7 + 2) where machine.count < machine.capacity {
                #expect(machine.send(next) == .enqueued)
                expected.append(next)
                next += 1
            }
            for _ in 0..<(round % 3 + 1) {
                if case .element(let element, _) = machine.receive() { received.append(element) }
            }
        }
        while case .element(let element, _) = machine.receive() {
            received.append(element)
        }
        #expect(received == expected)
    }
}
