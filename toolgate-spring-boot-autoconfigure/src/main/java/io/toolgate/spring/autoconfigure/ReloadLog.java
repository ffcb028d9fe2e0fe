package io.toolgate.spring.autoconfigure;

import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyWatcher;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs each reload of a watched policy: the new digest, or why the policy in force stays. */
final class ReloadLog implements PolicyWatcher.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(ToolgateAutoConfiguration.class);

  @Override
  public void reloaded(Path file, Policy policy) {
    LOG.info("Toolgate policy {} reloaded (digest {})", file, policy.digest());
  }

  @Override
  public void failed(Path file, RuntimeException error) {
    LOG.warn("Toolgate policy {} not reloaded; the policy in force stays: {}", file, error.getMessage());
  }
}
