import Foundation
import SimEngine
import SimTrace

/// Writes a trace in the Chrome trace event JSON format, which ui.perfetto.dev and chrome://tracing open.
///
/// Each OS process becomes a pid (process index + 1) and each lane a thread with a small tid (lane id + 1),
/// named by `M` metadata events; greenlets and coroutines appear as threads of their process, cores as
/// threads of an extra "CPU cores" process. Each segment is an `X` (complete) event named by its state,
/// each GIL or loop instant an `i` event on its lane. Times are microseconds, exact to the nanosecond
/// (three decimals). Output is deterministic: events are sorted, and no clock is read.
/// Format: "Trace Event Format", Google, docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU.
public enum PerfettoExport {
    /// Writes the JSON for `trace` atomically to `path`.
    public static func write(trace: Trace, scenario: String, strategy: String, to path: String) throws {
        let bytes = json(trace: trace, scenario: scenario, strategy: strategy)
        do {
            try AtomicFile.write(Data(bytes), to: path)
        } catch let e as AtomicFile.WriteError {
            throw RenderingError.cannotWrite(path: path, reason: e.reason)
        }
    }

    /// The JSON document. O(segments log segments + instants log instants).
    public static func json(trace: Trace, scenario: String, strategy: String) -> [UInt8] {
        var out = JSONWriter()
        out.raw("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"scenario\":")
        out.string(scenario)
        out.raw(",\"strategy\":")
        out.string(strategy)
        out.raw(",\"generator\":\"simulate\"},\"traceEvents\":[\n")
        var first = true
        func begin() {
            if !first { out.raw(",\n") }
            first = false
        }
        let corePid = trace.processNames.count + 1
        func pid(_ lane: Lane) -> Int { lane.kind == .core ? corePid : lane.process + 1 }

        // Processes and threads, named and ordered as in the pictures.
        var pids = Set(trace.lanes.map(pid)).sorted()
        if pids.isEmpty { pids = [1] }
        for p in pids {
            let name = p == corePid ? "CPU cores" : (p - 1 < trace.processNames.count ? trace.processNames[p - 1] : "process \(p - 1)")
            begin(); out.raw("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":\(p),\"tid\":0,\"args\":{\"name\":"); out.string(name); out.raw("}}")
            begin(); out.raw("{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":\(p),\"tid\":0,\"args\":{\"sort_index\":\(p)}}")
        }
        var sortIndex = [Int](repeating: 0, count: trace.lanes.count)
        for (i, id) in LaneOrdering.groups(of: trace, showCores: true).flatMap(\.lanes).enumerated() { sortIndex[id] = i }
        for lane in trace.lanes {
            let label = lane.kind == .thread ? lane.name : "\(lane.name) (\(lane.kind.rawValue))"
            begin(); out.raw("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":\(pid(lane)),\"tid\":\(lane.id + 1),\"args\":{\"name\":"); out.string(label); out.raw("}}")
            begin(); out.raw("{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":\(pid(lane)),\"tid\":\(lane.id + 1),\"args\":{\"sort_index\":\(sortIndex[lane.id])}}")
        }

        // Segments in time order (then lane, then recording order), so that viewers stream them in order.
        let order = trace.segments.indices.sorted {
            let a = trace.segments[$0], b = trace.segments[$1]
            if a.start != b.start { return a.start < b.start }
            if a.lane != b.lane { return a.lane < b.lane }
            return $0 < $1
        }
        let lanePid = trace.lanes.map(pid)
        for i in order {
            let seg = trace.segments[i]
            let lane = Int(seg.lane)
            guard lane >= 0, lane < trace.lanes.count else { continue }
            begin()
            out.raw(stateEventPrefix[Int(seg.state.rawValue)])
            out.integer(lanePid[lane])
            out.raw(",\"tid\":")
            out.integer(lane + 1)
            out.raw(",\"ts\":")
            out.microseconds(seg.start.nanoseconds)
            out.raw(",\"dur\":")
            out.microseconds(seg.duration.nanoseconds)
            out.raw(stateEventSuffix[Int(seg.state.rawValue)])
        }
        let instantOrder = trace.instants.indices.sorted {
            let a = trace.instants[$0], b = trace.instants[$1]
            if a.time != b.time { return a.time < b.time }
            if a.lane != b.lane { return a.lane < b.lane }
            return $0 < $1
        }
        for i in instantOrder {
            let e = trace.instants[i]
            let lane = Int(e.lane)
            guard lane >= 0, lane < trace.lanes.count else { continue }
            begin()
            out.raw("{\"ph\":\"i\",\"s\":\"t\",\"name\":\"\(e.kind.rawValue)\",\"cat\":\"gil\",\"pid\":")
            out.integer(lanePid[lane])
            out.raw(",\"tid\":")
            out.integer(lane + 1)
            out.raw(",\"ts\":")
            out.microseconds(e.time.nanoseconds)
            out.raw("}")
        }
        out.raw("\n]}\n")
        return out.bytes
    }

    /// The fixed text of a state's `X` event before its pid, and after its duration.
    static let stateEventPrefix = LaneState.allCases.map { "{\"ph\":\"X\",\"name\":\"\($0.description)\",\"cat\":\"state\",\"pid\":" }
    static let stateEventSuffix = LaneState.allCases.map { ",\"cname\":\"\(colorName($0))\"}" }

    /// chrome://tracing's reserved colour names (Perfetto colours by name instead).
    static func colorName(_ s: LaneState) -> String {
        switch s {
        case .running: return "thread_state_running"
        case .runningNoGIL: return "good"
        case .waitingGIL: return "terrible"
        case .runnable: return "thread_state_runnable"
        case .blocked: return "thread_state_iowait"
        case .awaiting: return "thread_state_sleeping"
        case .idle: return "thread_state_unknown"
        case .starting: return "startup"
        }
    }
}

/// Appends JSON text to a byte buffer (faster than building Strings for millions of events).
struct JSONWriter {
    var bytes: [UInt8] = []

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// A decimal integer, without going through String.
    mutating func integer(_ n: Int) {
        if n < 0 { bytes.append(UInt8(ascii: "-")) }
        var v = n.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[i]) }
        }
    }

    /// A JSON string literal with the required escapes.
    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for u in s.utf8 {
            switch u {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20: raw(String(format: "\\u%04x", u))
            default: bytes.append(u)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Nanoseconds as microseconds with up to three decimals, exactly ("12", "12.5", "0.001").
    mutating func microseconds(_ ns: Int64) {
        if ns < 0 { bytes.append(UInt8(ascii: "-")) }
        let a = ns.magnitude
        integer(Int(a / 1000))
        var frac = a % 1000
        guard frac != 0 else { return }
        var digits = 3
        while frac % 10 == 0 { frac /= 10; digits -= 1 }
        bytes.append(UInt8(ascii: "."))
        let width = frac >= 100 ? 3 : frac >= 10 ? 2 : 1
        for _ in 0..<(digits - width) { bytes.append(UInt8(ascii: "0")) }
        integer(Int(frac))
    }
}
