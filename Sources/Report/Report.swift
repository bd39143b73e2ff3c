/// Terminal tables, verdicts and results files.
public enum Report {}
