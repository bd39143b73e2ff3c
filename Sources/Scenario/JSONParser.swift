/// A small, strict JSON parser (RFC 8259) that records the line and column of every value and key and keeps
/// object members in file order, so that scenario messages can point at the place to fix.
///
/// Foundation's `JSONSerialization` loses positions and member order, hence this one.
///
/// - Complexity: O(n) in the length of the text; nesting is limited to `maxDepth` levels.
public struct JSONParser {
    /// Deeper documents are refused rather than risking the stack.
    public static let maxDepth = 256

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    private var depth = 0
    /// Location given to every value, instead of file positions (used for `--set` values).
    private let fixedLocation: SourceLocation?

    private init(_ text: String, fixedLocation: SourceLocation?) {
        self.bytes = Array(text.utf8)
        self.fixedLocation = fixedLocation
    }

    /// Parses a whole document. Errors are `ScenarioError`s with the line and column (no file name yet).
    public static func parse(_ text: String) throws -> JSONNode {
        var parser = JSONParser(text, fixedLocation: nil)
        return try parser.document()
    }

    /// Parses a value whose nodes all carry `location` (e.g. a `--set` value); nil if it is not JSON.
    static func parse(_ text: String, everywhere location: SourceLocation) -> JSONNode? {
        var parser = JSONParser(text, fixedLocation: location)
        return try? parser.document()
    }

    // MARK: - Grammar

    private mutating func document() throws -> JSONNode {
        // A UTF-8 byte order mark is allowed before the text (RFC 8259 section 8.1 lets parsers ignore it).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        if bytes[index...].starts(with: [0xEF, 0xBB, 0xBF]) {
            throw error("a second byte order mark (U+FEFF) before the JSON; remove it (save the file as UTF-8 with at most one)")
        }
        skipWhitespace()
        if index >= bytes.count { throw error("the file is empty; a scenario is a JSON object such as {\"tasks\": [...]}") }
        let node = try value()
        skipWhitespace()
        if index < bytes.count {
            throw error("unexpected \(describeHere()) after the end of the JSON value; remove it (or put the values in one object)")
        }
        return node
    }

    private mutating func value() throws -> JSONNode {
        skipWhitespace()
        guard index < bytes.count else { throw error("the text ends where a value was expected") }
        let location = here()
        switch bytes[index] {
        case UInt8(ascii: "{"): return JSONNode(try object(), at: location)
        case UInt8(ascii: "["): return JSONNode(try array(), at: location)
        case UInt8(ascii: "\""): return JSONNode(.string(try string()), at: location)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return JSONNode(.number(try number()), at: location)
        case UInt8(ascii: "t"): try literal("true"); return JSONNode(.bool(true), at: location)
        case UInt8(ascii: "f"): try literal("false"); return JSONNode(.bool(false), at: location)
        case UInt8(ascii: "n"): try literal("null"); return JSONNode(.null, at: location)
        case UInt8(ascii: "'"): throw error("JSON strings use double quotes (\"), not single quotes")
        case UInt8(ascii: "/"): throw error("JSON has no comments; remove the comment (a \"description\" key can hold notes)")
        case UInt8(ascii: "}"), UInt8(ascii: "]"): throw error("a value is missing before \(describeHere())")
        default:
            let word = currentWord()
            if ["true", "false", "null"].contains(word.lowercased()) {
                throw error("\(word) must be written in lower case: \(word.lowercased())")
            }
            if !word.isEmpty, word.first!.isLetter {
                throw error("\(word) is not a JSON value; strings need double quotes: \"\(word)\"")
            }
            throw error("\(describeHere()) cannot start a JSON value")
        }
    }

    private mutating func object() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        advance()  // {
        var members: [JSONMember] = []
        skipWhitespace()
        if peek(UInt8(ascii: "}")) { advance(); return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("the text ends inside an object; a closing } is missing") }
            if peek(UInt8(ascii: "}")) { throw error("a trailing comma before }; JSON does not allow one, remove it") }
            guard peek(UInt8(ascii: "\"")) else {
                if peek(UInt8(ascii: "/")) { throw error("JSON has no comments; remove the comment") }
                let word = currentWord()
                if !word.isEmpty { throw error("object keys need double quotes: \"\(word)\"") }
                throw error("expected a key in double quotes, found \(describeHere())")
            }
            let keyLocation = here()
            let key = try string()
            skipWhitespace()
            guard peek(UInt8(ascii: ":")) else { throw error("expected : after the key \"\(key)\", found \(describeHere())") }
            advance()
            let node = try value()
            members.append(JSONMember(key: key, keyLocation: keyLocation, value: node))
            skipWhitespace()
            if peek(UInt8(ascii: ",")) { advance(); continue }
            if peek(UInt8(ascii: "}")) { advance(); return .object(members) }
            if index >= bytes.count { throw error("the text ends inside an object; a closing } is missing") }
            if peek(UInt8(ascii: "\"")) { throw error("a comma is missing before the next key") }
            throw error("expected , or } after the value of \"\(key)\", found \(describeHere())")
        }
    }

    private mutating func array() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        advance()  // [
        var elements: [JSONNode] = []
        skipWhitespace()
        if peek(UInt8(ascii: "]")) { advance(); return .array(elements) }
        while true {
            skipWhitespace()
            if peek(UInt8(ascii: "]")) { throw error("a trailing comma before ]; JSON does not allow one, remove it") }
            elements.append(try value())
            skipWhitespace()
            if peek(UInt8(ascii: ",")) { advance(); continue }
            if peek(UInt8(ascii: "]")) { advance(); return .array(elements) }
            if index >= bytes.count { throw error("the text ends inside a list; a closing ] is missing") }
            throw error("expected , or ] in a list, found \(describeHere())")
        }
    }

    private mutating func string() throws -> String {
        let start = here()
        advance()  // opening quote
        var chunkStart = index
        var out = ""
        func flush(_ end: Int) { if end > chunkStart { out += String(decoding: bytes[chunkStart..<end], as: UTF8.self) } }
        while true {
            guard index < bytes.count else {
                throw ScenarioError(location: start, message: "this string has no closing double quote")
            }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                flush(index)
                advance()
                return out
            }
            if b < 0x20 {
                if b == UInt8(ascii: "\n") { throw ScenarioError(location: start, message: "this string has no closing double quote on its line") }
                throw error("a control character inside a string; write it as an escape such as \\t")
            }
            if b == UInt8(ascii: "\\") {
                flush(index)
                advance()
                guard index < bytes.count else { throw error("the text ends inside an escape") }
                let e = bytes[index]
                advance()
                switch e {
                case UInt8(ascii: "\""): out += "\""
                case UInt8(ascii: "\\"): out += "\\"
                case UInt8(ascii: "/"): out += "/"
                case UInt8(ascii: "b"): out += "\u{08}"
                case UInt8(ascii: "f"): out += "\u{0C}"
                case UInt8(ascii: "n"): out += "\n"
                case UInt8(ascii: "r"): out += "\r"
                case UInt8(ascii: "t"): out += "\t"
                case UInt8(ascii: "u"):
                    let first = try hex4()
                    var scalarValue = UInt32(first)
                    if (0xD800...0xDBFF).contains(first) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("a \\u escape of a high surrogate must be followed by a low surrogate \\uDC00-\\uDFFF")
                        }
                        advance(); advance()
                        let second = try hex4()
                        guard (0xDC00...0xDFFF).contains(second) else { throw error("\\u\(String(second, radix: 16)) is not a low surrogate") }
                        scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(first) {
                        throw error("a lone low surrogate \\u\(String(first, radix: 16)) in a string")
                    }
                    out.unicodeScalars.append(Unicode.Scalar(scalarValue)!)
                default:
                    throw error("\\\(Character(Unicode.Scalar(e))) is not a JSON escape; use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX")
                }
                chunkStart = index
                continue
            }
            advance()
        }
    }

    private mutating func hex4() throws -> UInt16 {
        var v: UInt16 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let d = Self.hexDigit(bytes[index]) else {
                throw error("\\u must be followed by four hexadecimal digits")
            }
            v = v << 4 | UInt16(d)
            advance()
        }
        return v
    }

    private static func hexDigit(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    private mutating func number() throws -> String {
        let start = index
        func digits() -> Int {
            var n = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { advance(); n += 1 }
            return n
        }
        if peek(UInt8(ascii: "-")) { advance() }
        if peek(UInt8(ascii: "0")) {
            advance()
            if index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                throw error("numbers cannot have leading zeros")
            }
        } else if digits() == 0 {
            throw error("a minus sign must be followed by digits")
        }
        if peek(UInt8(ascii: ".")) {
            advance()
            if digits() == 0 { throw error("a decimal point must be followed by digits (write 1.0 or 1)") }
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            advance()
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { advance() }
            if digits() == 0 { throw error("an exponent must have digits") }
        }
        if index < bytes.count, Self.isWordByte(bytes[index]) {
            // "15ms" without quotes: say so rather than "unexpected m".
            let word = String(decoding: bytes[start..<index], as: UTF8.self) + currentWord()
            throw ScenarioError(location: locationOf(start), message: "\(word) needs double quotes: \"\(word)\" (or write a plain number of milliseconds)")
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func literal(_ word: String) throws {
        let w = currentWord()
        guard w == word else {
            if w.lowercased() == word { throw error("\(w) must be written in lower case: \(word)") }
            throw error("\(w) is not a JSON value; strings need double quotes: \"\(w)\"")
        }
        for _ in word.utf8 { advance() }
    }

    // MARK: - Positions

    private mutating func enter() throws {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
    }

    private func peek(_ b: UInt8) -> Bool { index < bytes.count && bytes[index] == b }

    /// Moves one byte on, counting lines and (Unicode scalar) columns.
    private mutating func advance() {
        let b = bytes[index]
        index += 1
        if b == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if b & 0xC0 != 0x80 {
            column += 1
        }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: advance()
            default: return
            }
        }
    }

    private func here() -> SourceLocation {
        fixedLocation ?? .file(line: line, column: column)
    }

    private func locationOf(_ byteIndex: Int) -> SourceLocation {
        if let fixedLocation { return fixedLocation }
        // Only used for a position on the current line, just behind the cursor.
        var col = column
        var i = index
        while i > byteIndex { i -= 1; if bytes[i] & 0xC0 != 0x80 { col -= 1 } }
        return .file(line: line, column: col)
    }

    private func error(_ message: String) -> ScenarioError {
        ScenarioError(location: here(), message: message)
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "_") || b >= 0x80
    }

    /// The run of letters, digits and underscores at the cursor (for messages).
    private func currentWord() -> String {
        var end = index
        while end < bytes.count, Self.isWordByte(bytes[end]), end - index < 40 { end += 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    /// The character at the cursor, quoted, for messages.
    private func describeHere() -> String {
        guard index < bytes.count else { return "the end of the text" }
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return "'" + String(decoding: bytes[index..<end], as: UTF8.self) + "'"
    }
}
