package io.toolgate.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.approvals.internal.Pages;
import io.toolgate.approvals.internal.Sessions;
import io.toolgate.approvals.internal.Sessions.Session;
import io.toolgate.approvals.internal.Views;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.ApprovalQueue.AnswerResult;
import io.toolgate.engine.approval.ApprovalQueue.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The approvals inbox, independent of the HTTP server: {@link #handle} turns an {@link InboxRequest}
 * into an {@link InboxResponse}. Pages for people sign in with a token (or the host's principal)
 * into an HttpOnly, SameSite=Strict session cookie, and every form post carries the session's CSRF
 * token. The JSON API under {@code /api} takes {@code Authorization: Bearer <token>}. Thread-safe.
 */
public final class ApprovalInbox {
  /** The largest request body the inbox reads. */
  public static final int MAX_BODY = 64 * 1024;
  static final String COOKIE = "toolgate_approvals";
  private static final int MAX_COMMENT = 2000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ApprovalQueue queue;
  private final Approvers approvers;
  private final String mount;
  private final Clock clock;
  private final Sessions sessions;
  private final boolean secureCookie;

  private ApprovalInbox(Builder b) {
    this.queue = b.queue;
    this.approvers = b.approvers;
    this.mount = b.mount;
    this.clock = b.clock;
    this.sessions = new Sessions(b.clock, b.sessionTtl);
    this.secureCookie = b.secureCookie;
  }

  /** An inbox over {@code queue}, mounted at {@code /approvals}, letting nobody in until {@link Builder#approvers} says who. */
  public static Builder builder(ApprovalQueue queue) {
    return new Builder(queue);
  }

  /** Where the inbox is mounted, e.g. {@code /approvals}; the empty string for the root. */
  public String mountPath() {
    return mount;
  }

  /** Answers one request. Never throws for anything a client sends. */
  public InboxResponse handle(InboxRequest r) {
    String path = r.path();
    try {
      if (path.startsWith("/api/")) {
        return Api.handle(this, r);
      }
      if (path.startsWith("/static/")) {
        return staticFile(r);
      }
      return switch (path) {
        case "/", "" -> page(r);
        case "/login" -> login(r);
        case "/answer" -> answer(r);
        case "/logout" -> logout(r);
        default -> text(404, "not found");
      };
    } catch (IllegalArgumentException bad) {
      return text(400, "bad request");
    }
  }

  private InboxResponse page(InboxRequest r) {
    if (!r.method().equals("GET") && !r.method().equals("HEAD")) {
      return text(405, "method not allowed");
    }
    Optional<Session> session = session(r);
    Map<String, String> headers = Map.of();
    if (session.isEmpty() && r.hostPrincipal() != null) {
      Session opened = sessions.open(r.hostPrincipal());
      session = Optional.of(opened);
      headers = Map.of("Set-Cookie", cookie(opened.id(), false));
    }
    if (session.isEmpty()) {
      return InboxResponse.of(200, "text/html; charset=utf-8", Pages.login(mount, null), Map.of());
    }
    Session s = session.get();
    String html = Pages.inbox(mount, s.approver(), s.csrf(), s.flash().getAndSet(null),
        queue.pending(), queue.history(50), clock.instant());
    return InboxResponse.of(200, "text/html; charset=utf-8", html, headers);
  }

  private InboxResponse login(InboxRequest r) {
    if (!r.method().equals("POST")) {
      return redirect();
    }
    Optional<String> approver = approvers.byToken(form(r).get("token"));
    if (approver.isEmpty()) {
      return InboxResponse.of(401, "text/html; charset=utf-8", Pages.login(mount, "Unknown token."), Map.of());
    }
    Session s = sessions.open(approver.get());
    return InboxResponse.of(303, "text/plain; charset=utf-8", "signed in",
        Map.of("Location", mount + "/", "Set-Cookie", cookie(s.id(), false)));
  }

  private InboxResponse logout(InboxRequest r) {
    if (!r.method().equals("POST")) {
      return text(405, "method not allowed");
    }
    Optional<Session> s = session(r);
    if (s.isEmpty() || !csrfMatches(s.get(), form(r).get("csrf"))) {
      return text(403, "forbidden: missing or wrong CSRF token");
    }
    sessions.close(s.get().id());
    return InboxResponse.of(303, "text/plain; charset=utf-8", "signed out",
        Map.of("Location", mount + "/", "Set-Cookie", cookie("", true)));
  }

  private InboxResponse answer(InboxRequest r) {
    if (!r.method().equals("POST")) {
      return text(405, "method not allowed");
    }
    Map<String, String> form = form(r);
    Optional<Session> session = session(r);
    if (session.isEmpty() || !csrfMatches(session.get(), form.get("csrf"))) {
      return text(403, "forbidden: missing or wrong CSRF token");
    }
    Session s = session.get();
    String id = form.getOrDefault("id", "");
    Verdict verdict = switch (form.getOrDefault("verdict", "")) {
      case "approve" -> Verdict.APPROVED;
      case "reject" -> Verdict.REJECTED;
      default -> throw new IllegalArgumentException("verdict");
    };
    String comment = comment(form.get("comment"));
    String tool = queue.pending(id).map(p -> p.request().call().tool()).orElse("the call");
    AnswerResult result = queue.answer(id, verdict, s.approver(), comment);
    s.flash().set(switch (result) {
      case ANSWERED -> (verdict == Verdict.APPROVED ? "Approved " : "Rejected ") + tool + " (" + id + ").";
      case OWN_CALL -> "You cannot approve your own call (four eyes): another approver must answer " + tool + ".";
      case ALREADY_ANSWERED -> "Someone answered " + tool + " before you; the first answer stands.";
      case UNKNOWN -> "That request is no longer pending (answered, expired or unknown).";
    });
    return InboxResponse.of(303, "text/plain; charset=utf-8", result.name(), Map.of("Location", mount + "/"));
  }

  /**
   * The request's session; when the host authenticated someone, only a session of that same person
   * (a cookie left by another user of the browser names nobody).
   */
  Optional<Session> session(InboxRequest r) {
    String cookies = r.header("cookie");
    if (cookies == null) {
      return Optional.empty();
    }
    for (String part : cookies.split(";")) {
      String p = part.strip();
      if (p.startsWith(COOKIE + "=")) {
        return sessions.find(p.substring(COOKIE.length() + 1))
            .filter(s -> r.hostPrincipal() == null || s.approver().equals(r.hostPrincipal()));
      }
    }
    return Optional.empty();
  }

  Optional<String> bearer(InboxRequest r) {
    String auth = r.header("authorization");
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return approvers.byToken(auth.substring(7).strip());
  }

  ApprovalQueue queue() {
    return queue;
  }

  Instant now() {
    return clock.instant();
  }

  static String comment(String comment) {
    if (comment == null || comment.isBlank()) {
      return null;
    }
    if (comment.length() > MAX_COMMENT) {
      throw new IllegalArgumentException("comment longer than " + MAX_COMMENT);
    }
    return comment.strip();
  }

  private static boolean csrfMatches(Session s, String presented) {
    return presented != null && MessageDigest.isEqual(
        s.csrf().getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  private String cookie(String value, boolean expire) {
    return COOKIE + "=" + value + "; Path=" + (mount.isEmpty() ? "/" : mount) + "; HttpOnly; SameSite=Strict"
        + (secureCookie ? "; Secure" : "") + (expire ? "; Max-Age=0" : "");
  }

  private static Map<String, String> form(InboxRequest r) {
    Map<String, String> out = new HashMap<>();
    String body = new String(r.body(), StandardCharsets.UTF_8);
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(key, value);
    }
    return out;
  }

  private InboxResponse redirect() {
    return InboxResponse.of(303, "text/plain; charset=utf-8", "see inbox", Map.of("Location", mount + "/"));
  }

  private static InboxResponse staticFile(InboxRequest r) {
    String name = r.path().substring("/static/".length());
    String type = switch (name) {
      case "inbox.css" -> "text/css; charset=utf-8";
      case "inbox.js" -> "text/javascript; charset=utf-8";
      default -> null;
    };
    if (type == null) {
      return text(404, "not found");
    }
    try (InputStream in = ApprovalInbox.class.getResourceAsStream("static/" + name)) {
      return InboxResponse.of(200, type, new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InboxResponse text(int status, String message) {
    return InboxResponse.of(status, "text/plain; charset=utf-8", message, Map.of());
  }

  static InboxResponse json(int status, JsonNode body) {
    try {
      return InboxResponse.of(status, "application/json", JSON.writeValueAsString(body), Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return JsonNodeFactory.instance.objectNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON", e);
    }
  }

  static ObjectNode error(String code, String message) {
    return JsonNodeFactory.instance.objectNode().put("error", code).put("message", message);
  }

  static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }

  /** Builds an {@link ApprovalInbox}. */
  public static final class Builder {
    private final ApprovalQueue queue;
    private Approvers approvers = Approvers.none();
    private String mount = "/approvals";
    private Clock clock = Clock.systemUTC();
    private Duration sessionTtl = Duration.ofHours(8);
    private boolean secureCookie;

    private Builder(ApprovalQueue queue) {
      this.queue = Objects.requireNonNull(queue, "queue");
    }

    /** Who may sign in with a token and call the JSON API. */
    public Builder approvers(Approvers approvers) {
      this.approvers = Objects.requireNonNull(approvers, "approvers");
      return this;
    }

    /** The path the host mounts the inbox at, e.g. {@code /approvals} (no trailing slash; {@code ""} for the root). */
    public Builder mountPath(String mount) {
      String m = Objects.requireNonNull(mount, "mount");
      this.mount = m.endsWith("/") ? m.substring(0, m.length() - 1) : m;
      return this;
    }

    /** The clock for waited / expires-in times and session expiry. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long a browser session lasts (default 8 hours). */
    public Builder sessionTtl(Duration ttl) {
      this.sessionTtl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    /** Marks the session cookie {@code Secure} (do so when the inbox is served over HTTPS). */
    public Builder secureCookie(boolean secure) {
      this.secureCookie = secure;
      return this;
    }

    /** The inbox. */
    public ApprovalInbox build() {
      return new ApprovalInbox(this);
    }
  }
}
