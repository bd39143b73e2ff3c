/// A growable table of values that a simulation updates in place, element by element, millions of times.
///
/// An `Array` stored in a struct checks that its buffer is uniquely referenced (a runtime call) on every
/// element write, because it could be shared; the simulation's tables of threads, cores and processes are
/// never shared, so that check is pure cost on the hot path. `SlotTable` keeps its elements in one buffer
/// owned by a class and writes through a pointer. It has reference semantics: a copy of the table is
/// the same table (a copy taken to read, as the event queue's compaction does, is fine; one taken to keep
/// a snapshot is not, nor one that grows: see `base`).
///
/// - Complexity: subscript O(1); `append` O(1) amortized.
public struct SlotTable<Element>: RandomAccessCollection, MutableCollection, @unchecked Sendable {
    @usableFromInline
    final class Storage {
        @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<Element>
        @exclusivity(unchecked) @usableFromInline var count = 0
        @exclusivity(unchecked) @usableFromInline var capacity: Int

        @inlinable init(capacity: Int) {
            self.capacity = Swift.max(capacity, 1)
            base = .allocate(capacity: self.capacity)
        }

        @inlinable @inline(__always) func append(_ element: Element) {
            if count == capacity { reserve(2 * capacity) }
            (base + count).initialize(to: element)
            count += 1
        }

        @inlinable func removeLast() -> Element {
            count -= 1
            return (base + count).move()
        }

        @inlinable @inline(never) func reserve(_ n: Int) {
            guard n > capacity else { return }
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: n)
            bigger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity = n
        }

        deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }
    }

    @usableFromInline let storage: Storage
    /// The storage's first element, kept in the table itself and updated by every call that may move the
    /// storage (`append`, `reserveCapacity`, which are therefore mutating): read through the class, the
    /// address was loaded again after every write to an element (the compiler cannot tell that the write
    /// did not change the class's field); held in the simulation's own state, it stays in a register.
    /// So a copy of the table must not be used after the original grew.
    @usableFromInline var base: UnsafeMutablePointer<Element>

    /// An empty table.
    @inlinable public init() {
        storage = Storage(capacity: 16)
        base = storage.base
    }

    /// A table of `count` copies of `value`.
    @inlinable public init(repeating value: Element, count: Int) {
        storage = Storage(capacity: count)
        for _ in 0..<count { storage.append(value) }
        base = storage.base
    }

    /// A table of the elements of `elements`, in order.
    @inlinable public init<S: Sequence>(_ elements: S) where S.Element == Element {
        storage = Storage(capacity: elements.underestimatedCount)
        for e in elements { storage.append(e) }
        base = storage.base
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { storage.count }
    @inlinable public var count: Int { storage.count }

    // Addressors rather than get/set: reading one field of an element reads that field in place, instead
    // of copying the whole element out first.
    //
    // The index is checked in debug builds (every test) and in builds with SLOT_TABLE_CHECKS defined
    // (`swift build -c release -Xswiftc -DSLOT_TABLE_CHECKS`), not in release builds: the simulation's
    // indices are its own ids (a thread's core, a process's GIL holder, an event's target), never input;
    // the tests run every model path with the checks on, and `Simulation.checkInvariants` cross-checks the
    // ids (a thread's core and that core's thread, the GIL holder, the sleepers). Each check is a load of
    // the count and a test, with the tables touched a dozen times per event (the swift-collections way:
    // internal invariants are checked in their debug configuration only). Not `-Ounchecked` for the whole
    // module: that would also drop the overflow traps and make `checkInvariants`' preconditions assumptions.
    @inlinable public subscript(i: Int) -> Element {
        @inline(__always) unsafeAddress {
            checkIndex(i)
            return UnsafePointer(base + i)
        }
        @inline(__always) nonmutating unsafeMutableAddress {
            checkIndex(i)
            return base + i
        }
    }

    /// Traps on an index out of range (debug builds and SLOT_TABLE_CHECKS only; see `subscript`).
    @inlinable @inline(__always) func checkIndex(_ i: Int) {
        #if DEBUG || SLOT_TABLE_CHECKS
        precondition(i >= 0 && i < storage.count, "SlotTable index out of range")
        #endif
    }

    /// Adds an element at the end.
    @inlinable @inline(__always) public mutating func append(_ element: Element) {
        storage.append(element)
        base = storage.base
    }

    /// Removes and returns the last element (the table must not be empty).
    @inlinable public func removeLast() -> Element {
        precondition(storage.count > 0, "removeLast on an empty SlotTable")
        return storage.removeLast()
    }

    /// Removes the first `n` elements (0 <= n <= count); the others move to the front, in order. O(count).
    @inlinable public func removeFirst(_ n: Int) {
        precondition(n >= 0 && n <= storage.count, "removeFirst past the end of a SlotTable")
        storage.base.deinitialize(count: n)
        storage.base.moveInitialize(from: storage.base + n, count: storage.count - n)
        storage.count -= n
    }

    /// Makes room for `n` elements in all.
    @inlinable public mutating func reserveCapacity(_ n: Int) {
        storage.reserve(n)
        base = storage.base
    }

    /// Keeps only the elements `keep` accepts, in order.
    @inlinable public func retain(where keep: (Element) -> Bool) {
        var kept = 0
        for i in 0..<storage.count {
            let e = (storage.base + i).move()
            if keep(e) {
                (storage.base + kept).initialize(to: e)
                kept += 1
            }
        }
        storage.count = kept
    }
}

extension SlotTable: ExpressibleByArrayLiteral {
    @inlinable public init(arrayLiteral elements: Element...) { self.init(elements) }
}
