import CCairo
/// Cairo timelines and the Perfetto export.
public enum Rendering {}
