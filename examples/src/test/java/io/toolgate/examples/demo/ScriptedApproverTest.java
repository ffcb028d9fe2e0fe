package io.toolgate.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.approvals.ApprovalWebhook;
import io.toolgate.approvals.WebhookSignature;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The demo's approver tool acts only on webhooks signed with its secret, about its one tool. */
class ScriptedApproverTest {
  static final String BODY = "{\"id\":\"a-1\",\"tool\":\"create_live_algorithm\",\"link\":\"http://127.0.0.1:9/approvals/#a-1\"}";

  static int post(ScriptedApprover approver, String signature, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(approver.webhookUrl())
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (signature != null) {
      request.header(ApprovalWebhook.SIGNATURE_HEADER, signature);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void unsignedForgedStaleOrOversizedWebhooksAreRefusedAndApproveNothing() throws Exception {
    try (ScriptedApprover approver = ScriptedApprover.start("create_live_algorithm", "go")) {
      long now = Instant.now().getEpochSecond();
      byte[] forged = "not-the-approvers-secret-32-byte".getBytes(StandardCharsets.UTF_8);
      assertThat(post(approver, null, BODY)).isEqualTo(401);
      assertThat(post(approver, "t=" + now + ",v1=00", BODY)).isEqualTo(401);
      assertThat(post(approver, WebhookSignature.header(forged, now, BODY), BODY)).isEqualTo(401);
      assertThat(post(approver, WebhookSignature.header(approver.secret(), now - 3600, BODY), BODY)).as("an old, replayed body").isEqualTo(401);
      String altered = BODY.replace("a-1", "a-2");
      assertThat(post(approver, WebhookSignature.header(approver.secret(), now, BODY), altered)).isEqualTo(401);
      String huge = "{\"tool\":\"" + "x".repeat(70 * 1024) + "\"}";
      assertThat(post(approver, WebhookSignature.header(approver.secret(), now, huge), huge)).isEqualTo(413);
      // signed, but about another tool: acknowledged, not approved
      String other = "{\"id\":\"b-1\",\"tool\":\"delete_project\",\"link\":\"http://127.0.0.1:9/approvals/#b-1\"}";
      assertThat(post(approver, WebhookSignature.header(approver.secret(), now, other), other)).isEqualTo(204);
      assertThat(approver.approval()).isNotDone();
    }
  }
}
