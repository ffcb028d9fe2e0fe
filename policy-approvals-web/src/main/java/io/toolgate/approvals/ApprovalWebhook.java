package io.toolgate.approvals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.toolgate.api.AgentText;
import io.toolgate.approvals.internal.Html;
import io.toolgate.approvals.internal.Views;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each new pending approval request to a URL: JSON (id, tool, principal, rule, reason,
 * redacted arguments with each string cut at 4 KiB, expiresAt, a link to the inbox item) or a
 * Slack-compatible {@code {"text": ...}} whose agent text is cut, escaped as Slack requires and has
 * invisible characters shown as escapes. Signed with {@code X-Toolgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">}
 * (see {@link WebhookSignature}). Deliveries run on a scheduler thread, never on the thread that made
 * the request; 5xx answers and connection failures are retried with exponential backoff up to a
 * bounded number of attempts; 4xx is not retried.
 */
public final class ApprovalWebhook implements ApprovalQueue.Listener, AutoCloseable {
  /** The signature header's name. */
  public static final String SIGNATURE_HEADER = "X-Toolgate-Signature";
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalWebhook.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI target;
  private final byte[] secret;
  private final String inboxUrl;
  private final boolean slack;
  private final int maxAttempts;
  private final IntFunction<Duration> backoff;
  private final ScheduledExecutorService scheduler;
  private final boolean ownScheduler;
  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;

  private ApprovalWebhook(Builder b) {
    this.target = b.target;
    this.secret = b.secret.clone();
    this.inboxUrl = b.inboxUrl;
    this.slack = b.slack;
    this.maxAttempts = b.maxAttempts;
    this.backoff = b.backoff;
    this.ownScheduler = b.scheduler == null;
    this.scheduler = ownScheduler ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "toolgate-approval-webhook");
      t.setDaemon(true);
      return t;
    }) : b.scheduler;
    this.http = b.http != null ? b.http : HttpClient.newBuilder().connectTimeout(b.timeout).build();
    this.timeout = b.timeout;
    this.clock = b.clock;
  }

  /**
   * A webhook to {@code target}, signed with {@code secret}.
   *
   * @param inboxUrl the inbox's absolute URL (e.g. {@code https://gw.example/approvals}); the item
   *     link is {@code inboxUrl + "/#" + id}
   */
  public static Builder builder(URI target, byte[] secret, String inboxUrl) {
    return new Builder(target, secret, inboxUrl);
  }

  /** Subscribes this webhook to {@code queue}; close the returned handle to stop. */
  public ApprovalQueue.Subscription subscribe(ApprovalQueue queue) {
    return queue.subscribe(this);
  }

  @Override
  public void pending(PendingApproval request) {
    String body = body(request);
    scheduler.execute(() -> attempt(body, 1));
  }

  /** The body posted for {@code request}. */
  public String body(PendingApproval request) {
    ObjectNode view = Views.pending(request, request.requestedAt());
    view.remove("waitedSeconds");
    view.remove("expiresInSeconds");
    String link = inboxUrl + "/#" + URLEncoder.encode(request.id(), StandardCharsets.UTF_8);
    view.put("link", link);
    ObjectNode out;
    if (slack) {
      var r = request.request();
      String reason = r.reason() == null ? "" : ": " + slackText(r.reason());
      out = JsonNodeFactory.instance.objectNode().put("text", "Approval needed: " + slackText(r.call().tool())
          + " called by " + slackText(r.context().principal()) + " (" + slackText(r.rule()) + reason + "), expires "
          + request.expiresAt() + ". " + link);
    } else {
      out = view;
    }
    try {
      return JSON.writeValueAsString(out);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Agent text as a Slack message may quote it: invisible and bidi characters shown as escapes,
   * cut to an {@link AgentText#excerpt}, and {@code & < >} escaped as Slack requires, so no
   * {@code <!channel>} ping or {@code <url|label>} link can be written by an agent.
   */
  static String slackText(String s) {
    String shown = AgentText.excerpt(Html.visible(s));
    if (shown == null) {
      return "-";
    }
    return shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** The target as logged: scheme and host only, since a webhook URL (Slack's) is a credential. */
  static String logged(URI target) {
    return target.getScheme() + "://" + target.getHost();
  }

  private void attempt(String body, int attempt) {
    long t = clock.instant().getEpochSecond();
    int status;
    try {
      HttpRequest request = HttpRequest.newBuilder(target).timeout(timeout)
          .header("Content-Type", "application/json")
          .header(SIGNATURE_HEADER, WebhookSignature.header(secret, t, body))
          .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
      status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      status = -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (status >= 200 && status < 300) {
      return;
    }
    boolean retry = status < 0 || status >= 500;
    if (!retry || attempt >= maxAttempts) {
      LOG.warn("approval webhook to {} failed after {} attempt(s), last status {}", logged(target), attempt, status);
      return;
    }
    Duration delay = backoff.apply(attempt);
    scheduler.schedule(() -> attempt(body, attempt + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops the scheduler if this webhook made it; pending retries are dropped. */
  @Override
  public void close() {
    if (ownScheduler) {
      scheduler.shutdownNow();
    }
  }

  /** Builds an {@link ApprovalWebhook}. */
  public static final class Builder {
    private final URI target;
    private final byte[] secret;
    private final String inboxUrl;
    private boolean slack;
    private int maxAttempts = 5;
    private IntFunction<Duration> backoff = attempt -> Duration.ofSeconds(1L << Math.min(attempt - 1, 10));
    private ScheduledExecutorService scheduler;
    private HttpClient http;
    private Duration timeout = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();

    private Builder(URI target, byte[] secret, String inboxUrl) {
      this.target = Objects.requireNonNull(target, "target");
      this.secret = Objects.requireNonNull(secret, "secret").clone();
      if (secret.length < 16) {
        throw new IllegalArgumentException("a webhook secret needs at least 16 bytes");
      }
      String url = Objects.requireNonNull(inboxUrl, "inboxUrl");
      this.inboxUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Posts Slack-compatible {@code {"text": ...}} bodies instead of the JSON object. */
    public Builder slack(boolean slack) {
      this.slack = slack;
      return this;
    }

    /** How many attempts in all (default 5). */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1");
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** The wait before attempt {@code n + 1} after attempt {@code n} failed (default 1 s, 2 s, 4 s, ...). */
    public Builder backoff(IntFunction<Duration> backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /** The scheduler deliveries and retries run on (default: a daemon thread of the webhook's own). */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The HTTP client (default: a new one with the timeout as connect timeout). */
    public Builder httpClient(HttpClient http) {
      this.http = Objects.requireNonNull(http, "http");
      return this;
    }

    /** The time one attempt may take (default 10 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The clock for the signature's timestamp. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The webhook; subscribe it to a queue with {@link ApprovalWebhook#subscribe}. */
    public ApprovalWebhook build() {
      return new ApprovalWebhook(this);
    }
  }
}
