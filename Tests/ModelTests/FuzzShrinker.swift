import SimScenario

/// Shrinks a failing fuzz input to a small one that still fails, so that a failure is reported as the few
/// keys that matter rather than a mutated copy of a whole shipped scenario.
///
/// Greedy, in the manner of QuickCheck's and Hypothesis's shrinkers: try every one-step reduction of the
/// current input, in order from the largest cut to the smallest change, keep the first that still fails, and
/// start again; stop when no reduction fails (a local minimum: removing any one member, element or character
/// chunk makes the input pass). Each round costs one `stillFails` call per candidate, so shrinking an input of
/// n nodes takes O(n²) calls at worst; `maxCalls` bounds it.
struct FuzzShrinker {
    /// Whether an input still shows the failure being shrunk (the same kind of problem, not any problem).
    var stillFails: (String) -> Bool
    var maxCalls = 5_000
    private(set) var calls = 0

    init(maxCalls: Int = 5_000, stillFails: @escaping (String) -> Bool) {
        self.maxCalls = maxCalls
        self.stillFails = stillFails
    }

    /// The smallest failing input found from `text`: a JSON tree shrunk node by node if `text` parses,
    /// else the text shrunk by deleting chunks of characters (delta debugging's `ddmin`).
    mutating func shrink(_ text: String) -> String {
        if let tree = try? JSONParser.parse(text).value, check(JSONWriter.compact(tree)) {
            return JSONWriter.compact(shrink(tree: tree))
        }
        return shrink(characters: Array(text))
    }

    private mutating func check(_ candidate: String) -> Bool {
        guard calls < maxCalls else { return false }
        calls += 1
        return stillFails(candidate)
    }

    // MARK: Trees

    private mutating func shrink(tree: JSONValue) -> JSONValue {
        var current = tree
        var improved = true
        while improved && calls < maxCalls {
            improved = false
            for candidate in Self.reductions(of: current) where check(JSONWriter.compact(candidate)) {
                current = candidate
                improved = true
                break
            }
        }
        return current
    }

    /// Every input one step smaller than `value`: a subtree in place of its parent, a member or element
    /// removed, a scalar made plainer; then the same inside each child. Largest cuts first.
    static func reductions(of value: JSONValue) -> [JSONValue] {
        var out: [JSONValue] = []
        switch value {
        case .object(let members):
            out += members.map(\.value.value)
            for i in members.indices {
                var m = members
                m.remove(at: i)
                out.append(.object(m))
            }
            for i in members.indices {
                for child in reductions(of: members[i].value.value) {
                    var m = members
                    m[i].value = JSONNode(child)
                    out.append(.object(m))
                }
            }
        case .array(let elements):
            out += elements.map(\.value)
            for i in elements.indices {
                var e = elements
                e.remove(at: i)
                out.append(.array(e))
            }
            for i in elements.indices {
                for child in reductions(of: elements[i].value) {
                    var e = elements
                    e[i] = JSONNode(child)
                    out.append(.array(e))
                }
            }
        case .string(let s) where s.count > 1:
            out.append(.string(String(s.prefix(s.count / 2))))
            out.append(.string(String(s.dropFirst())))
        case .number(let n) where n != "0" && n != "1":
            out += [.number("0"), .number("1")]
        default:
            break
        }
        return out
    }

    // MARK: Text

    /// ddmin over characters: remove chunks of n/2, n/4, ... characters while the input still fails.
    private mutating func shrink(characters: [Character]) -> String {
        var current = characters
        var chunk = max(1, current.count / 2)
        while chunk >= 1 && calls < maxCalls {
            var removed = false
            var start = 0
            while start < current.count && calls < maxCalls {
                var candidate = current
                candidate.removeSubrange(start..<min(current.count, start + chunk))
                if check(String(candidate)) {
                    current = candidate
                    removed = true
                } else {
                    start += chunk
                }
            }
            if !removed { chunk /= 2 }
        }
        return String(current)
    }
}
