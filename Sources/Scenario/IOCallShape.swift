import SimEngine

/// Where an I/O call's Python-side CPU runs between the calls that release the GIL (docs/model.md, "The
/// shape of an I/O call"): relative weights of its pieces, in the order the call runs them.
///
/// `urlopen(url).read()` builds its Request, opener and HTTP request before `getaddrinfo`, runs a few
/// microseconds of Python between `getaddrinfo`, `socket()`, `connect()` and `sendall()`, starts reading the
/// response (`getresponse`) between `sendall()` and `recv_into()`, parses the status line and headers after
/// `recv_into()` (the whole answer comes in one `recv_into` of http.client's 8 KiB buffer) and closes the
/// socket when `read()` has the body; a little more runs after `close()`. Measured by
/// `validation/call_shape.py` and by `simulate calibrate` (calibrate.py, "call shape").
public struct IOCallShape: Sendable, Equatable {
    /// The pieces of a call that opens a connection, in order.
    public static let newPieces = ["before_getaddrinfo", "before_socket", "before_connect", "before_send",
                                   "before_recv", "after_recv", "after_close"]
    /// The pieces of a call on a kept-alive connection, in order.
    public static let reusePieces = ["before_send", "before_recv", "after_recv"]
    /// The pieces (of `newPieces` and `reusePieces`) that run before `send()` returns: with a new connection,
    /// `connection_cpu` is spread over them too.
    @usableFromInline static let newBeforeSend = 4, reuseBeforeSend = 1

    /// Weights of `newPieces`, each at least 0, not all 0.
    public var new: [Double]
    /// Weights of `reusePieces`, each at least 0, not all 0.
    public var reuse: [Double]

    public init(new: [Double], reuse: [Double]) {
        precondition(new.count == Self.newPieces.count && reuse.count == Self.reusePieces.count)
        self.new = new
        self.reuse = reuse
    }

    /// Half before the send (cut evenly over the calls before it), half after the answer: the model's shape
    /// before it was measured, and the default.
    public static let even = IOCallShape(new: [0.125, 0.125, 0.125, 0.125, 0, 0.5, 0], reuse: [0.5, 0, 0.5])

}

/// An `IOCallShape`'s fractions worked out once (a simulation cuts millions of calls with one shape): the
/// share before the send and each piece's share of its side, in vectors rather than arrays, so that cutting
/// a piece is a few multiplications. The same operations in the same order as summing the weights per
/// piece, so the same nanoseconds.
public struct IOCallPieces: Sendable {
    /// Per side (new connection, reused one): the weights before the send over all weights (0 when all
    /// weigh 0).
    @usableFromInline let newBefore: Double, reuseBefore: Double
    /// Each piece's weight over its side's (0 when the side weighs nothing: its pieces get no CPU).
    @usableFromInline let newShares: SIMD8<Double>, reuseShares: SIMD4<Double>

    public init(_ shape: IOCallShape) {
        func fractions(_ weights: [Double], split: Int) -> (before: Double, shares: [Double]) {
            let total = weights.reduce(0, +)
            let before = total > 0 ? weights[..<split].reduce(0, +) / total : 0
            var shares: [Double] = []
            for side in [0..<split, split..<weights.count] {
                let sideWeight = weights[side].reduce(0, +)
                for i in side { shares.append(sideWeight > 0 ? weights[i] / sideWeight : 0) }
            }
            return (before, shares)
        }
        precondition(IOCallShape.newPieces.count == 7 && IOCallShape.reusePieces.count == 3)
        let new = fractions(shape.new, split: IOCallShape.newBeforeSend)
        let reuse = fractions(shape.reuse, split: IOCallShape.reuseBeforeSend)
        newBefore = new.before
        reuseBefore = reuse.before
        var n = SIMD8<Double>(), r = SIMD4<Double>()
        for (i, s) in new.shares.enumerated() { n[i] = s }
        for (i, s) in reuse.shares.enumerated() { r[i] = s }
        newShares = n
        reuseShares = r
    }

    /// The CPU of piece `index` (of `IOCallShape.newPieces` when `connects`, else of `reusePieces`) of a call
    /// whose Python-side CPU is `cpu`, with `extra` (a new connection's `connection_cpu`) spread over the pieces
    /// before the send. The pieces add up to `cpu + extra` exactly: the share before the send is rounded down,
    /// and within each side the first piece takes what rounding leaves. Inlinable: it runs several times per
    /// I/O call.
    @inlinable @inline(__always)
    public func piece(_ index: Int, cpu: SimTime, extra: SimTime, connects: Bool) -> SimTime {
        let split = connects ? IOCallShape.newBeforeSend : IOCallShape.reuseBeforeSend
        let count = connects ? 7 : 3  // newPieces.count, reusePieces.count (checked in init)
        let ns = cpu.nanoseconds
        assert(ns >= 0 && extra.nanoseconds >= 0, "an I/O call's CPU is never negative")
        // A 0 fraction gives 0 like the weights' `total > 0` test: the product of a finite value and 0 is ±0.
        // Rounded down by the conversion, which truncates: the same as `.rounded(.down)` for the products
        // here, never negative, without its libm call (`floor`: x86-64's baseline has no instruction for it).
        let before = Int64(Double(ns) * (connects ? newBefore : reuseBefore))
        let first = index < split
        let sideTotal = first ? before + extra.nanoseconds : ns - before
        func share(_ i: Int) -> Int64 {
            Int64(Double(sideTotal) * (connects ? newShares[i] : reuseShares[i]))
        }
        let lower = first ? 0 : split, upper = first ? split : count
        if index != lower { return .nanoseconds(share(index)) }
        var rest: Int64 = 0
        for i in (lower + 1)..<upper { rest += share(i) }
        return .nanoseconds(sideTotal - rest)
    }
}
