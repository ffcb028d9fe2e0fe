package io.toolgate.spring.ai;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How a Spring Security {@code Authentication} becomes the caller the policy decides on: its name
 * is the principal, its granted authorities the roles, each with the first matching prefix of
 * {@link #getRolePrefixes()} stripped ({@code ROLE_admin} is the role {@code admin}).
 */
@ConfigurationProperties(prefix = "toolgate.identity")
public class ToolgateIdentityProperties {
  /**
   * Prefixes stripped from granted authorities to make roles, for example ROLE_ or SCOPE_.
   * Authorities without one of them are roles as they are.
   */
  private List<String> rolePrefixes = new ArrayList<>(List.of("ROLE_"));

  public List<String> getRolePrefixes() {
    return rolePrefixes;
  }

  public void setRolePrefixes(List<String> rolePrefixes) {
    this.rolePrefixes = rolePrefixes == null ? new ArrayList<>() : rolePrefixes;
  }
}
