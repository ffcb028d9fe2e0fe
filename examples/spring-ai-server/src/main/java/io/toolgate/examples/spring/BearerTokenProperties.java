package io.toolgate.examples.spring;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The bearer tokens the app accepts: {@code example.security.users[i].name}, {@code .token-sha256}
 * (the SHA-256 of the token, hex; the token itself is not stored) and {@code .roles}.
 *
 * @param users the callers
 */
@ConfigurationProperties("example.security")
public record BearerTokenProperties(List<User> users) {

  /** Binds the callers; none if the property is absent. */
  public BearerTokenProperties {
    users = users == null ? List.of() : List.copyOf(users);
  }

  /**
   * A caller.
   *
   * @param name the principal the policy counts
   * @param tokenSha256 the hex SHA-256 of its bearer token
   * @param roles its roles (granted as {@code ROLE_}-prefixed authorities)
   */
  public record User(String name, String tokenSha256, List<String> roles) {

    /** A caller; roles default to none. */
    public User {
      roles = roles == null ? List.of() : List.copyOf(roles);
    }
  }
}
