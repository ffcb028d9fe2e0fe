package io.toolgate.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.toolgate.approvals.ApprovalWebhook;
import io.toolgate.approvals.WebhookSignature;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The demo's approver tool, standing in for the person: it receives the server's approval webhook,
 * checks its {@code X-Toolgate-Signature}, and approves the held call through the approvals inbox's
 * JSON API ({@code POST <inbox>/api/pending/<id>/approve}) with an approver's bearer token, as a
 * chat bot or a ticketing hook would. It answers only calls of the one tool it is scripted for.
 */
final class ScriptedApprover implements AutoCloseable {
  /** The shipped approver token, naming {@code risk-officer} ({@code approvers.txt}). */
  static final String APPROVER_TOKEN = "demo-approver-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 64 * 1024;

  /** What the approver did: the request it was told of, and the inbox's answer to its approval. */
  record Approval(String id, String apiPath, int status, String approver, String comment) {}

  private final HttpServer http;
  private final byte[] secret = new byte[32];
  private final String tool;
  private final String comment;
  private final CompletableFuture<Approval> approval = new CompletableFuture<>();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private ScriptedApprover(String tool, String comment) throws IOException {
    this.tool = tool;
    this.comment = comment;
    new SecureRandom().nextBytes(secret);
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/webhook", this::receive);
  }

  /** Listens on a free loopback port for webhooks about {@code tool}, and approves them with {@code comment}. */
  static ScriptedApprover start(String tool, String comment) throws IOException {
    ScriptedApprover approver = new ScriptedApprover(tool, comment);
    approver.http.start();
    return approver;
  }

  /** Where the server posts its webhook. */
  URI webhookUrl() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/webhook");
  }

  /** The webhook's signing secret, shared with the server. */
  byte[] secret() {
    return secret.clone();
  }

  /** Completes once the approver has approved a held call through the inbox (or failed to). */
  CompletableFuture<Approval> approval() {
    return approval;
  }

  private void receive(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        byte[] bytes = in.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
          exchange.sendResponseHeaders(413, -1);
          return;
        }
        body = new String(bytes, StandardCharsets.UTF_8);
      }
      String signature = exchange.getRequestHeaders().getFirst(ApprovalWebhook.SIGNATURE_HEADER);
      if (!"POST".equals(exchange.getRequestMethod())
          || !WebhookSignature.verify(secret, signature, body, Instant.now(), Duration.ofMinutes(5))) {
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      exchange.sendResponseHeaders(204, -1);
      JsonNode request = JSON.readTree(body);
      if (tool.equals(request.path("tool").asText()) && request.path("link").asText().contains("/#")) {
        approve(request.path("id").asText(), request.path("link").asText());
      }
    } catch (IOException | RuntimeException e) {
      approval.completeExceptionally(e);
    }
  }

  /** Approves {@code id} through the JSON API of the inbox the link points into. */
  private void approve(String id, String link) {
    String inbox = link.substring(0, link.indexOf("/#"));
    String path = "/api/pending/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/approve";
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(inbox + path))
          .header("Authorization", "Bearer " + APPROVER_TOKEN)
          .header("Content-Type", "application/json")
          .timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("comment", comment).toString()))
          .build();
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode answer = response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
      approval.complete(new Approval(id, URI.create(inbox).getPath() + path, response.statusCode(),
          answer.path("approver").asText(null), answer.path("comment").asText(null)));
    } catch (IOException e) {
      approval.completeExceptionally(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      approval.completeExceptionally(e);
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
