package io.toolgate.approvals;

import static io.toolgate.approvals.InboxFixture.ALICE;
import static io.toolgate.approvals.InboxFixture.BOB;
import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.engine.approval.ApprovalQueue.Verdict;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApprovalInboxTest {
  @TempDir Path dir;
  InboxFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new InboxFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private String login(String token) throws Exception {
    HttpResponse<String> r = f.send(f.post("/login", "application/x-www-form-urlencoded", "token=" + token));
    assertThat(r.statusCode()).isEqualTo(303);
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/approvals");
    return cookie.substring(0, cookie.indexOf(';'));
  }

  private static String csrf(String html) {
    Matcher m = Pattern.compile("name=\"csrf\" value=\"([0-9a-f]+)\"").matcher(html);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  private static String form(Map<String, String> fields) {
    StringBuilder b = new StringBuilder();
    fields.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(k).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return b.toString();
  }

  @Test
  void withoutSessionTheInboxAsksForAToken() throws Exception {
    f.hold("mallory", "transfer", Map.of("amount", 5));
    HttpResponse<String> page = f.send(f.get("/"));
    assertThat(page.body()).contains("Approver token").doesNotContain("transfer");
    HttpResponse<String> wrong = f.send(f.post("/login", "application/x-www-form-urlencoded", "token=guess"));
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
  }

  @Test
  void pendingCallsShowRedactedArgumentsAndEverythingTheAgentSentIsEscaped() throws Exception {
    String xss = "<script>alert(1)</script>";
    f.hold("agent\"><img src=x onerror=alert(2)>", "deploy<b>", Map.of("note", xss, "api_key", "sk-live-123",
        "nested", Map.of("password", "hunter2", "ok", "'quoted' & `tick`")));
    String cookie = login(ALICE);
    HttpResponse<String> page = f.send(f.get("/").header("Cookie", cookie));
    String html = page.body();
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain(xss)
        .doesNotContain("<img src=x").contains("agent&quot;&gt;&lt;img src=x onerror=alert(2)&gt;")
        .contains("deploy&lt;b&gt;").doesNotContain("deploy<b>")
        .contains("[REDACTED]").doesNotContain("sk-live-123").doesNotContain("hunter2")
        .contains("&#39;quoted&#39; &amp; &#96;tick&#96;")
        .contains("tools.transfer[0]").contains("money moves").contains("session-1")
        .contains("<meta name=\"viewport\"").contains("<label for=\"c-");
    assertThat(html.split("<script").length - 1).isEqualTo(1); // only the inbox's own script
  }

  @Test
  void approvingWithCommentNeedsTheSessionsCsrfToken() throws Exception {
    String id = f.hold("agent-7", "transfer", Map.of("amount", 5));
    String cookie = login(ALICE);
    String csrf = csrf(f.send(f.get("/").header("Cookie", cookie)).body());
    String noToken = form(Map.of("id", id, "verdict", "approve"));
    assertThat(f.send(f.post("/answer", "application/x-www-form-urlencoded", noToken).header("Cookie", cookie))
        .statusCode()).isEqualTo(403);
    String wrongToken = form(Map.of("id", id, "verdict", "approve", "csrf", "00" + csrf.substring(2)));
    assertThat(f.send(f.post("/answer", "application/x-www-form-urlencoded", wrongToken).header("Cookie", cookie))
        .statusCode()).isEqualTo(403);
    String otherSession = csrf(f.send(f.get("/").header("Cookie", login(BOB))).body());
    assertThat(f.send(f.post("/answer", "application/x-www-form-urlencoded",
        form(Map.of("id", id, "verdict", "approve", "csrf", otherSession))).header("Cookie", cookie)).statusCode())
        .isEqualTo(403);
    assertThat(f.queue.pending(id)).isPresent();

    HttpResponse<String> ok = f.send(f.post("/answer", "application/x-www-form-urlencoded",
        form(Map.of("id", id, "verdict", "approve", "comment", "fine <b>by</b> me", "csrf", csrf))).header("Cookie", cookie));
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(f.queue.history(1).get(0)).satisfies(a -> {
      assertThat(a.verdict()).isEqualTo(Verdict.APPROVED);
      assertThat(a.approver()).isEqualTo("alice");
      assertThat(a.comment()).isEqualTo("fine <b>by</b> me");
    });
    String after = f.send(f.get("/").header("Cookie", cookie)).body();
    assertThat(after).contains("Approved transfer").contains("fine &lt;b&gt;by&lt;/b&gt; me")
        .contains(f.queue.history(1).get(0).argsDigest());
  }

  @Test
  void anApproverCannotApproveTheirOwnCall() throws Exception {
    String id = f.hold("alice", "transfer", Map.of("amount", 5));
    String cookie = login(ALICE);
    String csrf = csrf(f.send(f.get("/").header("Cookie", cookie)).body());
    f.send(f.post("/answer", "application/x-www-form-urlencoded",
        form(Map.of("id", id, "verdict", "approve", "csrf", csrf))).header("Cookie", cookie));
    assertThat(f.send(f.get("/").header("Cookie", cookie)).body()).contains("You cannot approve your own call");
    assertThat(f.queue.pending(id)).isPresent();
  }

  @Test
  void theJsonApiTakesBearerTokensAndAnswersWithPreciseStatuses() throws Exception {
    String mine = f.hold("bob", "transfer", Map.of("amount", 5, "token", "secret-value"));
    String other = f.hold("agent-7", "transfer", Map.of("amount", 6));
    assertThat(f.send(f.get("/api/pending")).statusCode()).isEqualTo(401);
    assertThat(f.send(f.get("/api/pending").header("Authorization", "Bearer nope")).statusCode()).isEqualTo(401);

    HttpResponse<String> list = f.send(f.get("/api/pending").header("Authorization", "Bearer " + BOB));
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(InboxFixture.JSON.readTree(list.body())).hasSize(2);
    assertThat(list.body()).doesNotContain("secret-value").contains("[REDACTED]");
    assertThat(InboxFixture.JSON.readTree(f.send(f.get("/api/pending/" + other).header("Authorization", "Bearer " + BOB))
        .body()).path("rule").asText()).isEqualTo("tools.transfer[0]");
    assertThat(f.send(f.get("/api/pending/nope").header("Authorization", "Bearer " + BOB)).statusCode()).isEqualTo(404);

    String json = "application/json";
    assertThat(f.send(f.post("/api/pending/" + mine + "/approve", json, "{}").header("Authorization", "Bearer " + BOB))
        .statusCode()).isEqualTo(403);
    assertThat(f.send(f.post("/api/pending/nope/approve", json, "{}").header("Authorization", "Bearer " + BOB))
        .statusCode()).isEqualTo(404);
    assertThat(f.send(f.post("/api/pending/" + other + "/approve", json, "[1]").header("Authorization", "Bearer " + BOB))
        .statusCode()).isEqualTo(400);
    assertThat(f.send(f.post("/api/pending/" + other + "/approve", json, "{\"comment\": 5}")
        .header("Authorization", "Bearer " + BOB)).statusCode()).isEqualTo(400);
    // a browser session does not answer through the API: no cookie-authenticated posts, so no CSRF
    assertThat(f.send(f.post("/api/pending/" + other + "/approve", json, "{}").header("Cookie", login(ALICE)))
        .statusCode()).isEqualTo(401);
    HttpResponse<String> rejected = f.send(f.post("/api/pending/" + other + "/reject", json,
        "{\"comment\":\"not today\"}").header("Authorization", "Bearer " + BOB));
    assertThat(rejected.statusCode()).isEqualTo(200);
    assertThat(rejected.body()).contains("\"verdict\":\"REJECTED\"").contains("\"approver\":\"bob\"");
    assertThat(f.send(f.post("/api/pending/" + other + "/approve", json, "{}").header("Authorization", "Bearer " + ALICE))
        .statusCode()).isEqualTo(409);
    assertThat(f.send(f.post("/api/pending/" + mine + "/approve", json, "{\"comment\":\"ok\"}")
        .header("Authorization", "Bearer " + ALICE)).statusCode()).isEqualTo(200);

    var history = InboxFixture.JSON.readTree(f.send(f.get("/api/history").header("Authorization", "Bearer " + ALICE)).body());
    assertThat(history).hasSize(2);
    assertThat(history.get(0).path("approver").asText()).isEqualTo("alice");
    assertThat(history.get(0).path("comment").asText()).isEqualTo("ok");
    assertThat(history.get(0).path("argsDigest").asText()).isNotEmpty();
    assertThat(history.get(1).path("comment").asText()).isEqualTo("not today");
    assertThat(f.send(f.get("/api/nothing").header("Authorization", "Bearer " + ALICE)).statusCode()).isEqualTo(404);
  }

  @Test
  void staticFilesAndUnknownPaths() throws Exception {
    assertThat(f.send(f.get("/static/inbox.css")).body()).contains("@media");
    assertThat(f.send(f.get("/static/inbox.js")).body()).contains("/api/pending");
    assertThat(f.send(f.get("/static/../pom.xml")).statusCode()).isEqualTo(404);
    assertThat(f.send(f.get("/elsewhere")).statusCode()).isEqualTo(404);
  }

  @Test
  void logoutEndsTheSession() throws Exception {
    String cookie = login(ALICE);
    String csrf = csrf(f.send(f.get("/").header("Cookie", cookie)).body());
    assertThat(f.send(f.post("/logout", "application/x-www-form-urlencoded", "").header("Cookie", cookie)).statusCode())
        .isEqualTo(403);
    assertThat(f.send(f.post("/logout", "application/x-www-form-urlencoded", "csrf=" + csrf).header("Cookie", cookie))
        .statusCode()).isEqualTo(303);
    assertThat(f.send(f.get("/").header("Cookie", cookie)).body()).contains("Approver token");
  }

  @Test
  void theHostsAuthenticatedPrincipalSignsInWithoutAToken() {
    String id = f.hold("agent-7", "transfer", Map.of("amount", 5));
    InboxResponse page = f.inbox.handle(new InboxRequest("GET", "/", null, Map.of(), null, "carol"));
    String html = new String(page.body(), StandardCharsets.UTF_8);
    assertThat(html).contains("Signed in as <strong>carol</strong>").contains(id);
    String cookie = page.headers().get("Set-Cookie");
    assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict");
    String session = cookie.substring(0, cookie.indexOf(';'));
    InboxResponse answered = f.inbox.handle(new InboxRequest("POST", "/answer", null, Map.of("cookie", session),
        form(Map.of("id", id, "verdict", "reject", "comment", "no", "csrf", csrf(html))).getBytes(StandardCharsets.UTF_8),
        "carol"));
    assertThat(answered.status()).isEqualTo(303);
    assertThat(f.queue.history(1).get(0).approver()).isEqualTo("carol");
  }

  @Test
  void theHostsPrincipalAnswersThroughTheApiOnlyWithAJsonBody() {
    String id = f.hold("agent-7", "transfer", Map.of("amount", 5));
    InboxResponse list = f.inbox.handle(new InboxRequest("GET", "/api/pending", null, Map.of(), null, "carol"));
    assertThat(list.status()).isEqualTo(200);
    assertThat(new String(list.body(), StandardCharsets.UTF_8)).contains(id);

    // What a cross-site form could send carries the host's credentials but is not JSON: refused.
    for (String type : new String[] {"application/x-www-form-urlencoded", "text/plain", "multipart/form-data"}) {
      InboxResponse refused = f.inbox.handle(new InboxRequest("POST", "/api/pending/" + id + "/approve", null,
          Map.of("content-type", type), "{}".getBytes(StandardCharsets.UTF_8), "carol"));
      assertThat(refused.status()).as(type).isEqualTo(415);
    }
    InboxResponse untyped = f.inbox.handle(new InboxRequest("POST", "/api/pending/" + id + "/approve", null,
        Map.of(), "{}".getBytes(StandardCharsets.UTF_8), "carol"));
    assertThat(untyped.status()).isEqualTo(415);
    assertThat(f.queue.pending(id)).isPresent();

    InboxResponse approved = f.inbox.handle(new InboxRequest("POST", "/api/pending/" + id + "/approve", null,
        Map.of("content-type", "application/json; charset=utf-8"),
        "{\"comment\":\"ok\"}".getBytes(StandardCharsets.UTF_8), "carol"));
    assertThat(approved.status()).isEqualTo(200);
    assertThat(f.queue.history(1).get(0).approver()).isEqualTo("carol");
  }

  @Test
  void theHostsPrincipalIsTheApproverWhateverTokenOrCookieTheRequestCarries() throws Exception {
    String id = f.hold("carol", "transfer", Map.of("amount", 5));
    // carol's own call: the host says carol, so alice's bearer token does not make her alice.
    InboxResponse own = f.inbox.handle(new InboxRequest("POST", "/api/pending/" + id + "/approve", null,
        Map.of("content-type", "application/json", "authorization", "Bearer " + ALICE), new byte[0], "carol"));
    assertThat(own.status()).isEqualTo(403);

    // A session cookie alice left in the browser names nobody once the host says the user is carol.
    String alice = login(ALICE);
    String aliceCsrf = csrf(f.send(f.get("/").header("Cookie", alice)).body());
    InboxResponse asCarol = f.inbox.handle(new InboxRequest("POST", "/answer", null, Map.of("cookie", alice),
        form(Map.of("id", id, "verdict", "approve", "csrf", aliceCsrf)).getBytes(StandardCharsets.UTF_8), "carol"));
    assertThat(asCarol.status()).isEqualTo(403);
    InboxResponse page = f.inbox.handle(new InboxRequest("GET", "/", null, Map.of("cookie", alice), null, "carol"));
    assertThat(new String(page.body(), StandardCharsets.UTF_8)).contains("Signed in as <strong>carol</strong>");
    assertThat(f.queue.pending(id)).isPresent();
  }
}
