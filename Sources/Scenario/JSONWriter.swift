/// Writes JSON text deterministically: members in their given order, numbers as written, strings escaped
/// per RFC 8259. Pretty output puts a container on one line when it fits in `lineWidth` columns, so small
/// objects such as `{"uniform": {"min": "1ms", "max": "3ms"}}` stay readable.
///
/// - Complexity: O(n * d) for n values nested d deep (compact forms are measured once per level).
public enum JSONWriter {
    /// The whole value on one line, with a space after `:` and `,`.
    public static func compact(_ value: JSONValue) -> String {
        var out = ""
        writeCompact(value, into: &out)
        return out
    }

    /// Indented text (two spaces a level) ending in a newline.
    public static func pretty(_ value: JSONValue, lineWidth: Int = 100) -> String {
        var out = ""
        writePretty(value, indent: 0, lineWidth: lineWidth, into: &out)
        out += "\n"
        return out
    }

    /// A JSON string literal for `s`.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func writeCompact(_ value: JSONValue, into out: inout String) {
        switch value {
        case .object(let members):
            out += "{"
            for (i, m) in members.enumerated() {
                if i > 0 { out += ", " }
                out += quoted(m.key) + ": "
                writeCompact(m.value.value, into: &out)
            }
            out += "}"
        case .array(let elements):
            out += "["
            for (i, e) in elements.enumerated() {
                if i > 0 { out += ", " }
                writeCompact(e.value, into: &out)
            }
            out += "]"
        case .string(let s): out += quoted(s)
        case .number(let n): out += n
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    private static func writePretty(_ value: JSONValue, indent: Int, lineWidth: Int, into out: inout String) {
        let one = compact(value)
        if indent + one.count <= lineWidth {
            out += one
            return
        }
        let pad = String(repeating: "  ", count: indent + 1)
        switch value {
        case .object(let members):
            out += "{\n"
            for (i, m) in members.enumerated() {
                out += pad + quoted(m.key) + ": "
                writePretty(m.value.value, indent: indent + 1, lineWidth: lineWidth, into: &out)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        case .array(let elements):
            out += "[\n"
            for (i, e) in elements.enumerated() {
                out += pad
                writePretty(e.value, indent: indent + 1, lineWidth: lineWidth, into: &out)
                out += i + 1 < elements.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        default:
            out += one
        }
    }
}
