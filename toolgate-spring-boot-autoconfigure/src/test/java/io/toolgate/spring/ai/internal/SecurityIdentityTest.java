package io.toolgate.spring.ai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CallContext;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;

class SecurityIdentityTest {
  private final SecurityIdentity identity = new SecurityIdentity(List.of("ROLE_", "SCOPE_"));

  @Test
  void nameIsThePrincipalAndAuthoritiesAreRolesWithThePrefixStripped() {
    CallContext caller =
        identity.of(
            UsernamePasswordAuthenticationToken.authenticated(
                "alice", null, AuthorityUtils.createAuthorityList("ROLE_admin", "SCOPE_read", "plain", "ROLE_")));
    assertThat(caller.principal()).isEqualTo("alice");
    assertThat(caller.roles()).containsExactlyInAnyOrder("admin", "read", "plain", "ROLE_");
  }

  @Test
  void unauthenticatedAnonymousAndMissingCallersAreNobody() {
    assertThat(identity.of(null)).isNull();
    assertThat(identity.of(UsernamePasswordAuthenticationToken.unauthenticated("mallory", "pw"))).isNull();
    assertThat(
            identity.of(
                new AnonymousAuthenticationToken("key", "anonymousUser", AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"))))
        .isNull();
    assertThat(identity.of(() -> " ")).isNull();
    assertThat(identity.of(() -> "container-user").principal()).isEqualTo("container-user");
  }

  @Test
  void withoutPrefixesAuthoritiesAreRolesAsTheyAre() {
    CallContext caller =
        new SecurityIdentity(List.of())
            .of(UsernamePasswordAuthenticationToken.authenticated("bob", null, AuthorityUtils.createAuthorityList("ROLE_quant")));
    assertThat(caller.roles()).containsExactly("ROLE_quant");
  }
}
