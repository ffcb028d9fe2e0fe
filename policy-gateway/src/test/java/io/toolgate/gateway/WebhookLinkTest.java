package io.toolgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.approvals.ApproverTokens;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inbox links without {@code --public-url}: a wildcard address is named {@code localhost}, never {@code 0.0.0.0}. */
class WebhookLinkTest {
  @TempDir Path dir;

  @Test
  void aWildcardAddressIsLinkedAsLocalhostAndAnyOtherAsListenedOn() throws Exception {
    Path tokens = dir.resolve("approvers.tokens");
    Files.writeString(tokens, ApproverTokens.hash("t".repeat(32)) + " risk-officer\n");
    GatewayConfig settings = GatewayConfig.empty().overriddenBy(
        GatewayOptions.parse("--listen", "127.0.0.1:0", "--approvals", tokens.toString()));
    try (GatewayApprovals approvals = GatewayApprovals.create(settings, Map.<String, String>of()::get)) {
      assertThat(approvals.startWebhooks(new InetSocketAddress("0.0.0.0", 8080)))
          .isEqualTo("http://localhost:8080/approvals/");
      assertThat(approvals.startWebhooks(new InetSocketAddress("::", 8080)))
          .isEqualTo("http://localhost:8080/approvals/");
      assertThat(approvals.startWebhooks(new InetSocketAddress("127.0.0.1", 8080)))
          .isEqualTo("http://127.0.0.1:8080/approvals/");
      assertThat(approvals.startWebhooks(new InetSocketAddress("::1", 8080)))
          .isEqualTo("http://[0:0:0:0:0:0:0:1]:8080/approvals/");
    }
  }
}
