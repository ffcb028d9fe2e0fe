package io.toolgate.cli.scan;

/** A scan that cannot go on (no server, a reply that breaks a bound, a policy that would not load); exit 2 with its message. */
public final class ScanException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ScanException(String message) {
    super(message, null, false, false);
  }

  public ScanException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
