import SimTrace

/// Light or dark background; the state colours are the same in both.
public enum ThemeName: String, Sendable, CaseIterable {
    case light, dark
}

/// The colours of a picture.
///
/// The eight lane states use one palette everywhere, based on Okabe & Ito's colour-blind-safe set
/// ("Color Universal Design", 2008): its seven hues are told apart with every common colour-vision
/// deficiency, and grey takes the eighth state (idle), which should recede anyway.
public struct Theme: Sendable, Equatable {
    public var name: ThemeName
    public var background: RGBA
    /// Alternate lane rows get this faint band, so that the eye can follow a row across.
    public var rowStripe: RGBA
    public var text: RGBA
    public var mutedText: RGBA
    public var gridLine: RGBA
    public var axisLine: RGBA
    /// GIL and loop marks (shapes tell them apart; the colour only has to stand out against every state).
    public var mark: RGBA
    public var markOutline: RGBA
    /// Quiet marks (GIL hand-offs): present when looked for, not competing with the rest.
    public var quietMark: RGBA
    /// Predicted makespan bars in the comparison.
    public var predictedBar: RGBA
    /// Measured makespan bars (outline) and their min-max whiskers.
    public var measuredBar: RGBA

    public static let light = Theme(
        name: .light, background: RGBA(hex: 0xFFFFFF), rowStripe: RGBA(hex: 0xF2F2F2), text: RGBA(hex: 0x1A1A1A),
        mutedText: RGBA(hex: 0x595959), gridLine: RGBA(hex: 0xDDDDDD), axisLine: RGBA(hex: 0x404040),
        mark: RGBA(hex: 0x000000), markOutline: RGBA(hex: 0xFFFFFF), quietMark: RGBA(hex: 0x6B6B6B), predictedBar: RGBA(hex: 0x4D4D4D),
        measuredBar: RGBA(hex: 0x1A1A1A))

    public static let dark = Theme(
        name: .dark, background: RGBA(hex: 0x161A1F), rowStripe: RGBA(hex: 0x20252C), text: RGBA(hex: 0xF0F0F0),
        mutedText: RGBA(hex: 0xB0B0B0), gridLine: RGBA(hex: 0x3A4048), axisLine: RGBA(hex: 0xC0C0C0),
        mark: RGBA(hex: 0xFFFFFF), markOutline: RGBA(hex: 0x000000), quietMark: RGBA(hex: 0xA0A0A0), predictedBar: RGBA(hex: 0xB8B8B8),
        measuredBar: RGBA(hex: 0xF0F0F0))

    public static func named(_ name: ThemeName) -> Theme { name == .light ? .light : .dark }

    /// The colour of a lane state (the same in every picture and theme, except idle's grey, which is
    /// lightened or darkened to stay quiet against the background).
    public func color(of state: LaneState) -> RGBA {
        switch state {
        case .running: return RGBA(hex: 0x009E73)       // bluish green: doing Python work
        case .runningNoGIL: return RGBA(hex: 0x0072B2)  // blue: doing C work without the GIL
        case .waitingGIL: return RGBA(hex: 0xD55E00)    // vermillion: contention, the thing to notice
        case .runnable: return RGBA(hex: 0xE69F00)      // orange: ready but not on a core / the loop
        case .blocked: return RGBA(hex: 0x56B4E9)       // sky blue: waiting on I/O
        case .awaiting: return RGBA(hex: 0xCC79A7)      // reddish purple: waiting on another lane
        case .idle: return name == .light ? RGBA(hex: 0xCFCFCF) : RGBA(hex: 0x4A5058)
        case .starting: return RGBA(hex: 0xF0E442)      // yellow: start-up
        }
    }
}
