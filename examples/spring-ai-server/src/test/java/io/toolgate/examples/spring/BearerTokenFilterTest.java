package io.toolgate.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/** The bearer-token filter on its own: who a header authenticates, and which settings it refuses. */
class BearerTokenFilterTest {
  /** SHA-256 of demo-alice. */
  private static final String ALICE = "c3fe0b469a6d4f19a25fbec114762d2186aa2c22888f52c5550a77fc104bcff3";

  @AfterEach
  void clear() {
    SecurityContextHolder.clearContext();
  }

  private static BearerTokenFilter filter(BearerTokenProperties.User... users) {
    return new BearerTokenFilter(new BearerTokenProperties(List.of(users)));
  }

  private static Authentication authenticate(BearerTokenFilter filter, String authorization) throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/mcp");
    if (authorization != null) {
      request.addHeader("Authorization", authorization);
    }
    AtomicReference<Authentication> seen = new AtomicReference<>();
    filter.doFilter(request, new MockHttpServletResponse(), (req, res) ->
        seen.set(SecurityContextHolder.getContext().getAuthentication()));
    SecurityContextHolder.clearContext();
    return seen.get();
  }

  @Test
  void aKnownTokenNamesItsUserWithRolePrefixedAuthorities() throws Exception {
    BearerTokenFilter filter = filter(new BearerTokenProperties.User("alice", ALICE.toUpperCase(), List.of("quant")));
    for (String header : new String[] {"Bearer demo-alice", "bearer demo-alice", "Bearer  demo-alice "}) {
      Authentication authentication = authenticate(filter, header);
      assertThat(authentication).as(header).isNotNull();
      assertThat(authentication.getName()).isEqualTo("alice");
      assertThat(authentication.getAuthorities()).map(GrantedAuthority::getAuthority).containsExactly("ROLE_quant");
    }
  }

  @Test
  void anythingElseLeavesTheRequestUnauthenticated() throws Exception {
    BearerTokenFilter filter = filter(new BearerTokenProperties.User("alice", ALICE, null));
    for (String header : new String[] {null, "", "Bearer", "Bearer ", "Bearer " + ALICE, "Bearer demo-alice\u0000",
        "Token demo-alice", "demo-alice", "Bearer demo-alicE", "Bearer " + "\uD800".repeat(3)}) {
      assertThat(authenticate(filter, header)).as(String.valueOf(header)).isNull();
    }
    assertThat(authenticate(filter(), "Bearer demo-alice")).isNull();
  }

  @Test
  void badSettingsFailAtStartup() {
    assertThatThrownBy(() -> filter(new BearerTokenProperties.User("alice", "demo-alice", List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("token-sha256 of alice");
    assertThatThrownBy(() -> filter(new BearerTokenProperties.User("alice", null, List.of())))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> filter(new BearerTokenProperties.User(" ", ALICE, List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without a name");
  }
}
