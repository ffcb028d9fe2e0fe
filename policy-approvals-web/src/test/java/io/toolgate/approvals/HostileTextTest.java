package io.toolgate.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.approvals.internal.Html;
import io.toolgate.approvals.internal.Pages;
import io.toolgate.approvals.internal.Sessions;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md "Everything an agent sends may be hostile", for the people who answer held calls: the
 * inbox, the API and the webhooks show text that is cut, escaped and free of invisible characters,
 * so what a person reads is what will run.
 */
class HostileTextTest {
  private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
  private static final String RLO = "\u202E";

  @TempDir Path dir;

  private static PendingApproval held(String tool, String reason, Map<String, ?> args) {
    InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(Clock.fixed(NOW, ZoneOffset.UTC))
        .maximumRequestBytes(8 << 20).build();
    ApprovalStatus status = queue.check(new ApprovalRequest(ToolCall.of(tool, args),
        new CallContext("agent-7", Set.of(), Map.of(), "s1"), "/tools/transfer", reason, NOW));
    assertThat(status).isInstanceOf(ApprovalStatus.Pending.class);
    return queue.pending().get(0);
  }

  private static ApprovalWebhook slack() {
    return ApprovalWebhook.builder(URI.create("http://127.0.0.1:9/"), new byte[32], "https://gw.example/approvals")
        .slack(true).build();
  }

  @Test
  void aSlackMessageCannotPingTheChannelOrForgeALink() throws Exception {
    String tool = "deploy_x <!channel> <https://evil.example/approvals/|Open in the Toolgate inbox> & more";
    try (ApprovalWebhook webhook = slack()) {
      String text = InboxFixture.JSON.readTree(webhook.body(held(tool, null, Map.of()))).path("text").asText();
      assertThat(text).doesNotContain("<!channel>").doesNotContain("<https://evil").doesNotContain("null")
          .contains("&lt;!channel&gt;").contains("&amp; more").contains("(/tools/transfer)");
      assertThat(text.indexOf('<')).as("no Slack markup from the agent").isEqualTo(-1);
    }
  }

  @Test
  void slackTextIsCutAndShowsInvisibleCharacters() throws Exception {
    try (ApprovalWebhook webhook = slack()) {
      String text = InboxFixture.JSON.readTree(webhook.body(held("t" + RLO + "x".repeat(10_000), "why", Map.of())))
          .path("text").asText();
      assertThat(text).contains("t\\u202Exxx").doesNotContain(RLO).contains("…(+").hasSizeLessThan(500);
    }
  }

  @Test
  void theInboxShowsBidiAndZeroWidthCharactersAsEscapesAndMarksTheCard() {
    PendingApproval p = held("transfer\u200B", "money moves", Map.of("to_account", RLO + "9999-1111\u202C", "memo", "\uFEFFok"));
    String html = Pages.inbox("/approvals", "alice", "csrf", null, List.of(p), List.of(), NOW);
    assertThat(html).doesNotContain(RLO).doesNotContain("\u202C").doesNotContain("\u200B").doesNotContain("\uFEFF")
        .contains("\\u202E9999-1111\\u202C").contains("transfer\\u200B").contains("\\uFEFFok")
        .contains("contains invisible or bidi characters").contains("invisible-chars");
    String plain = Pages.inbox("/approvals", "alice", "csrf", null, List.of(held("transfer", "r", Map.of("a", 1))),
        List.of(), NOW);
    assertThat(plain).doesNotContain("invisible or bidi");
  }

  @Test
  void htmlTextEscapesEveryFormatAndSeparatorCharacterButKeepsOrdinaryText() {
    assertThat(Html.text("a\u2066b\u2069c\u2028d\u2029e\u00ADf\uDB40\uDC20g\uD800h"))
        .isEqualTo("a\\u2066b\\u2069c\\u2028d\\u2029e\\u00ADf\\uDB40\\uDC20g\\uD800h");
    assertThat(Html.text("naïve café 東京 \uD83D\uDE00 <b>")).isEqualTo("naïve café 東京 \uD83D\uDE00 &lt;b&gt;");
    assertThat(Html.hasInvisible("plain \uD83D\uDE00")).isFalse();
  }

  @Test
  void aHugeArgumentIsCutInThePageTheApiAndTheWebhook() throws Exception {
    String huge = "A".repeat(1 << 20);
    PendingApproval p = held("transfer", "r", Map.of("blob", huge, "nested", List.of(Map.of("deep", huge))));
    String html = Pages.inbox("/approvals", "alice", "csrf", null, List.of(p), List.of(), NOW);
    assertThat(html).hasSizeLessThan(32 * 1024).contains("…(+" + ((1 << 20) - 4096) + " chars)");
    try (ApprovalWebhook webhook = ApprovalWebhook.builder(URI.create("http://127.0.0.1:9/"), new byte[32], "https://gw.example/a")
        .build()) {
      JsonNode body = InboxFixture.JSON.readTree(webhook.body(p));
      assertThat(body.path("arguments").path("blob").asText()).hasSize(4096 + ("…(+" + ((1 << 20) - 4096) + " chars)").length());
      assertThat(body.path("arguments").path("nested").path(0).path("deep").asText()).endsWith(" chars)");
    }
  }

  @Test
  void theApiCutsArgumentStrings() throws Exception {
    try (InboxFixture f = new InboxFixture(dir)) {
      f.hold("agent-7", "transfer", Map.of("blob", "B".repeat(200_000)));
      HttpResponse<String> r = f.send(f.get("/api/pending").header("Authorization", "Bearer " + InboxFixture.ALICE));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).hasSizeLessThan(8 * 1024).contains("…(+" + (200_000 - 4096) + " chars)");
    }
  }

  @Test
  void sessionsAreCappedAndTheLeastRecentlyUsedGoesFirst() {
    Sessions sessions = new Sessions(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1), 3);
    var approver = sessions.open("alice");
    var idle = sessions.open("bob");
    sessions.open("carol");
    assertThat(sessions.find(approver.id())).isPresent(); // used: now the most recent
    for (int i = 0; i < 100; i++) {
      sessions.open("host-user"); // one per cookie-less GET
    }
    assertThat(sessions.size()).isEqualTo(3);
    assertThat(sessions.find(idle.id())).isEmpty();
    assertThat(new Sessions(Clock.systemUTC(), Duration.ofHours(1)).size()).isZero();
  }

  @Test
  void aSessionInUseSurvivesAFloodWhileItIsUsed() {
    Sessions sessions = new Sessions(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1), 10);
    var approver = sessions.open("alice");
    for (int i = 0; i < 1_000; i++) {
      sessions.open("host-user");
      if (i % 5 == 0) {
        assertThat(sessions.find(approver.id())).isPresent();
      }
    }
    assertThat(sessions.size()).isEqualTo(10);
  }

  @Test
  void aWebhookIsLoggedByItsSchemeAndHostOnly() {
    assertThat(ApprovalWebhook.logged(URI.create("https://hooks.slack.com/services/T000/B000/SECRETxyz?x=1")))
        .isEqualTo("https://hooks.slack.com");
  }
}
