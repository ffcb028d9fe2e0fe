package io.toolgate.api;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Who is calling: the principal id, its roles, free-form attributes and the session id.
 *
 * <p>Every part is optional. A missing principal or session is {@code null}; a limit scoped to a
 * part that is missing denies the call rather than falling back to a shared counter. Attribute
 * values are JSON-compatible (strings, numbers, booleans, lists, maps). Instances are immutable.
 *
 * @param principal the authenticated principal id, or {@code null} when unknown
 * @param roles the principal's roles; never {@code null}
 * @param attributes attributes conditions can read as {@code identity.attributes.<key>}; never
 *     {@code null}
 * @param sessionId the session id (for MCP, the transport session), or {@code null}
 */
public record CallContext(
    String principal, Set<String> roles, Map<String, Object> attributes, String sessionId) {

  private static final CallContext ANONYMOUS = new CallContext(null, Set.of(), Map.of(), null);

  /** Copies roles and attributes; {@code null} collections become empty. */
  public CallContext {
    roles = roles == null ? Set.of() : Set.copyOf(roles);
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /** A context with no principal, roles, attributes or session. */
  public static CallContext anonymous() {
    return ANONYMOUS;
  }

  /** A context for one principal with no roles, attributes or session. */
  public static CallContext of(String principal) {
    return new CallContext(principal, Set.of(), Map.of(), null);
  }

  /** This context with the given roles instead of its own. */
  public CallContext withRoles(String... newRoles) {
    return new CallContext(principal, Set.copyOf(Arrays.asList(newRoles)), attributes, sessionId);
  }

  /** This context with the given session id. */
  public CallContext withSession(String newSessionId) {
    return new CallContext(principal, roles, attributes, newSessionId);
  }

  /** This context with the given attributes instead of its own. */
  public CallContext withAttributes(Map<String, ?> newAttributes) {
    return new CallContext(principal, roles, Map.copyOf(newAttributes), sessionId);
  }
}
