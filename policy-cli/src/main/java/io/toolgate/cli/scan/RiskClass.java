package io.toolgate.cli.scan;

/**
 * What a tool may do, as {@code toolgate scan} classes it, from least to most severe; each class
 * has the rule the scan writes for it.
 */
public enum RiskClass {
  /** Reads only: allowed. */
  READ,
  /** Changes something: allowed, {@value ScanPolicyWriter#WRITE_PER_MINUTE} calls a minute per grant. */
  WRITE,
  /** Runs work (a compile, a backtest, a script): 10 calls a minute per grant, arguments checked against its inputSchema. */
  EXECUTE,
  /** Moves money, trades or goes live: every call needs a person's approval. */
  FINANCIAL,
  /** Deletes or destroys: denied, or held for approval with {@code --approve-destructive}. */
  DESTRUCTIVE;

  /** The class's name as the policy comments and drift lines write it, e.g. {@code execute}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
