package io.toolgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.common.McpTransportContext;
import io.toolgate.api.CallContext;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class McpIdentityResolverTest {
  final McpIdentityResolver fromContext = McpIdentityResolver.fromTransportContext();

  @Test
  void readsTheCallContextTheExtractorStoredAndAddsTheSession() {
    CallContext alice = CallContext.of("alice").withRoles("quant").withAttributes(Map.of("desk", "fx"));

    CallContext resolved = fromContext.resolve(McpIdentityResolver.transportContext(alice), "s-1");

    assertThat(resolved.principal()).isEqualTo("alice");
    assertThat(resolved.roles()).isEqualTo(Set.of("quant"));
    assertThat(resolved.attributes()).isEqualTo(Map.of("desk", "fx"));
    assertThat(resolved.sessionId()).isEqualTo("s-1");
  }

  @Test
  void aStringUnderTheKeyIsThePrincipal() {
    McpTransportContext context = McpTransportContext.create(Map.of(McpIdentityResolver.CONTEXT_KEY, "bob"));

    assertThat(fromContext.resolve(context, null)).isEqualTo(CallContext.of("bob"));
  }

  @Test
  void nothingStoredIsAnonymousNeverAGuess() {
    McpTransportContext context = McpTransportContext.create(Map.of("clientInfo", "alice", "other", 1));

    assertThat(fromContext.resolve(context, "s-2")).isEqualTo(CallContext.anonymous().withSession("s-2"));
    assertThat(fromContext.resolve(McpTransportContext.EMPTY, null)).isEqualTo(CallContext.anonymous());
    assertThat(fromContext.resolve(null, null)).isEqualTo(CallContext.anonymous());
  }

  @Test
  void fixedAndOrElseGiveTheConfiguredPrincipalWithTheSession() {
    CallContext local = CallContext.of("local-agent");

    assertThat(McpIdentityResolver.fixed(local).resolve(McpTransportContext.EMPTY, "s-3"))
        .isEqualTo(local.withSession("s-3"));
    McpIdentityResolver withFallback = fromContext.orElse(local);
    assertThat(withFallback.resolve(McpTransportContext.EMPTY, "s-4")).isEqualTo(local.withSession("s-4"));
    assertThat(withFallback.resolve(McpIdentityResolver.transportContext(CallContext.of("alice")), null).principal())
        .isEqualTo("alice");
  }

  @Test
  void nullsAreRefusedWhereTheyAreMade() {
    assertThatThrownBy(() -> McpIdentityResolver.fixed(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> fromContext.orElse(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> McpIdentityResolver.transportContext(null)).isInstanceOf(NullPointerException.class);
  }
}
