package io.toolgate.spring.autoconfigure;

import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import org.springframework.core.io.Resource;

/**
 * Where the policy comes from: the resource {@code toolgate.policy} names. Loads it at startup and
 * again on each reload through the actuator endpoint.
 */
public final class ToolgatePolicySource {
  private final Resource resource;

  /** A source reading {@code resource}; {@code null} when {@code toolgate.policy} is not set. */
  public ToolgatePolicySource(Resource resource) {
    this.resource = resource;
  }

  /** The resource as Spring describes it ({@code class path resource [policy.yaml]}), or {@code null}. */
  public String location() {
    return resource == null ? null : resource.getDescription();
  }

  /**
   * Reads and loads the policy now.
   *
   * @throws ToolgateConfigurationException if no resource is set, it does not exist, cannot be
   *     read, or the policy has problems (all of them, located)
   */
  public Policy load() {
    if (resource == null) {
      throw ToolgateConfigurationException.noPolicy();
    }
    String location = location();
    if (!resource.exists()) {
      throw ToolgateConfigurationException.missing(location);
    }
    try (InputStream in = resource.getInputStream()) {
      return Policy.load(in, sourceName());
    } catch (PolicyLoadException e) {
      throw ToolgateConfigurationException.invalid(location, e);
    } catch (IOException e) {
      throw ToolgateConfigurationException.unreadable(location, e);
    } catch (UncheckedIOException e) {
      throw ToolgateConfigurationException.unreadable(location, e.getCause());
    }
  }

  /** The policy's file, if it is one (a {@code file:} location, or a class path resource in a directory). */
  public Optional<Path> file() {
    if (resource == null || !resource.isFile()) {
      return Optional.empty();
    }
    try {
      return Optional.of(resource.getFile().toPath());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The name problems are located in: the file's path, else the resource's file name or description. */
  private String sourceName() {
    return file().map(Path::toString).orElseGet(() ->
        resource.getFilename() != null ? resource.getFilename() : resource.getDescription());
  }

  @Override
  public String toString() {
    return "ToolgatePolicySource[" + location() + "]";
  }
}
