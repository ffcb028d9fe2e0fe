package io.toolgate.spring.autoconfigure.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** HTTP to a Spring app's inbox as HTTP-basic users (password {@code secret}), with the inbox's session cookie and CSRF token. */
final class InboxClient {
  static final ToolCall LIVE = ToolCall.of("create_live_algorithm", Map.of("projectId", 42, "apiToken", "live-secret-7"));

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
  private final int port;

  InboxClient(int port) {
    this.port = port;
  }

  /** A browser session of {@code user} on the inbox page: its cookie and CSRF token. */
  record Session(String cookie, String csrf, String html) {}

  /** Holds {@code LIVE} for {@code principal}; returns the approval id. */
  static String hold(PolicyEngine engine, String principal) {
    Decision decision = engine.evaluate(LIVE, CallContext.of(principal));
    assertThat(decision).isInstanceOf(Decision.ApprovalRequired.class);
    return ((Decision.ApprovalRequired) decision).approvalId();
  }

  HttpResponse<String> send(String method, String path, String user, String contentType, String body, String cookie)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (user != null) {
      request.header("Authorization", "Basic "
          + Base64.getEncoder().encodeToString((user + ":secret").getBytes(StandardCharsets.UTF_8)));
    }
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  Session open(String user) throws Exception {
    HttpResponse<String> page = send("GET", "/approvals/", user, null, null, null);
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    String setCookie = page.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).contains("HttpOnly", "SameSite=Strict", "Path=/approvals");
    Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([0-9a-f]+)\"").matcher(page.body());
    assertThat(csrf.find()).isTrue();
    return new Session(setCookie.substring(0, setCookie.indexOf(';')), csrf.group(1), page.body());
  }

  /** Posts the inbox's answer form as {@code user} in {@code session}, with {@code csrf} (null: without the field). */
  HttpResponse<String> answer(String user, Session session, String id, String verdict, String csrf) throws Exception {
    String form = "id=" + enc(id) + "&verdict=" + verdict + "&comment=" + enc("checked by " + user)
        + (csrf == null ? "" : "&csrf=" + enc(csrf));
    return send("POST", "/approvals/answer", user, "application/x-www-form-urlencoded", form, session.cookie());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
