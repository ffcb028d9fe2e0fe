package io.toolgate.approvals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** A real JDK HTTP server serving an inbox over an in-memory queue, with tokens for alice and bob. */
final class InboxFixture implements AutoCloseable {
  static final String ALICE = "alice-token-0123456789";
  static final String BOB = "bob-token-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  final InMemoryApprovalQueue queue = InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
  final HttpServer server;
  final ApprovalInbox inbox;
  final String base;
  final HttpClient http = HttpClient.newHttpClient();

  InboxFixture(Path dir) throws IOException {
    Path tokens = dir.resolve("approvers.tokens");
    Files.writeString(tokens, "# approvers\n" + ApproverTokens.hash(ALICE) + " alice\n" + ApproverTokens.hash(BOB) + " bob ops\n");
    inbox = ApprovalInbox.builder(queue).approvers(ApproverTokens.load(tokens)).build();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(inbox.mountPath(), new ApprovalInboxHandler(inbox));
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort() + inbox.mountPath();
  }

  /** Makes a call by {@code principal} pending; returns its id. */
  String hold(String principal, String tool, Map<String, ?> args) {
    ApprovalRequest request = new ApprovalRequest(ToolCall.of(tool, args),
        new CallContext(principal, Set.of(), Map.of(), "session-1"), "tools.transfer[0]", "money moves", Instant.now());
    return ((ApprovalStatus.Pending) queue.check(request)).approvalId();
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).GET();
  }

  HttpRequest.Builder post(String path, String contentType, String body) {
    return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
