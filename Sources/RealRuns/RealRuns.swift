/// Real runs of a scenario as Python programs.
public enum RealRuns {}
