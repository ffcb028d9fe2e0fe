package io.toolgate.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link ToolgateConfigurationException} anywhere in a failed startup's causes into a
 * failure analysis: what is wrong (every located policy problem) and what to do, without a stack
 * trace. Registered in {@code META-INF/spring.factories}.
 */
class ToolgateFailureAnalyzer extends AbstractFailureAnalyzer<ToolgateConfigurationException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ToolgateConfigurationException cause) {
    return new FailureAnalysis(cause.description(), cause.action(), cause);
  }
}
