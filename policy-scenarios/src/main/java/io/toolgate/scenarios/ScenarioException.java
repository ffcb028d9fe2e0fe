package io.toolgate.scenarios;

/** A scenario file that does not follow the format: the message says where and what is wrong. */
final class ScenarioException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ScenarioException(String message) {
    super(message, null, false, false);
  }
}
