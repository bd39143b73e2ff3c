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
    static let newBeforeSend = 4, reuseBeforeSend = 1

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

    /// The CPU of piece `index` (of `newPieces` when `connects`, else of `reusePieces`) of a call whose
    /// Python-side CPU is `cpu`, with `extra` (a new connection's `connection_cpu`) spread over the pieces
    /// before the send. The pieces add up to `cpu + extra` exactly: the share before the send is rounded
    /// down, and within each side the first piece takes what rounding leaves.
    public func piece(_ index: Int, cpu: SimTime, extra: SimTime, connects: Bool) -> SimTime {
        let weights = connects ? new : reuse
        let split = connects ? Self.newBeforeSend : Self.reuseBeforeSend
        let side = index < split ? 0..<split : split..<weights.count
        let total = weights.reduce(0, +)
        let sideWeight = weights[side].reduce(0, +)
        let ns = cpu.nanoseconds
        let before = total > 0 ? Int64((Double(ns) * (weights[..<split].reduce(0, +) / total)).rounded(.down)) : 0
        let sideTotal = index < split ? before + extra.nanoseconds : ns - before
        func share(_ i: Int) -> Int64 {
            sideWeight > 0 ? Int64((Double(sideTotal) * (weights[i] / sideWeight)).rounded(.down)) : 0
        }
        if index != side.lowerBound { return .nanoseconds(share(index)) }
        return .nanoseconds(sideTotal - side.dropFirst().reduce(0) { $0 + share($1) })
    }
}
