package io.toolgate.spring.autoconfigure;

import io.toolgate.engine.PolicyLoadException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Turns a failed startup caused by Toolgate's configuration into a failure analysis: what is wrong
 * (every located policy problem) and what to do, without a stack trace. It reads a {@link
 * ToolgateConfigurationException} anywhere in the causes, or else a {@link PolicyLoadException}
 * (a policy an application loads in a bean of its own). Registered in {@code
 * META-INF/spring.factories}.
 */
class ToolgateFailureAnalyzer implements FailureAnalyzer {
  @Override
  public FailureAnalysis analyze(Throwable failure) {
    ToolgateConfigurationException configuration = find(failure, ToolgateConfigurationException.class);
    if (configuration != null) {
      return new FailureAnalysis(configuration.description(), configuration.action(), configuration);
    }
    PolicyLoadException load = find(failure, PolicyLoadException.class);
    if (load != null) {
      ToolgateConfigurationException described = ToolgateConfigurationException.invalid(null, load);
      return new FailureAnalysis(described.description(), described.action(), load);
    }
    return null;
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
