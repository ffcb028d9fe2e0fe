package io.toolgate.gateway;

import io.toolgate.approvals.ApprovalInbox;
import io.toolgate.approvals.ApprovalWebhook;
import io.toolgate.approvals.ApproverTokens;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.gateway.internal.RedisCounters;
import io.toolgate.redis.RedisApprovalQueue;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's approvals ({@code approvals:} and the {@code approval-webhook*} keys): the queue
 * the engine holds {@code require_approval} calls in, the inbox served beside the MCP endpoint,
 * and the webhooks told of each new request, which link to the inbox item. The webhooks start
 * once the server listens (their links need its address) and stop on {@link #close()}. With
 * {@code --redis} the queue is a {@link RedisApprovalQueue} on the gateway's Redis client, shared
 * by every gateway on that Redis and kept across restarts; without, an in-memory queue.
 */
final class GatewayApprovals implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayApprovals.class);

  private final ApprovalQueue queue;
  private final RedisApprovalQueue redisQueue;
  private final ApprovalInbox inbox;
  private final List<URI> webhooks;
  private final byte[] secret;
  private final boolean slack;
  private final URI publicUrl;
  private final List<ApprovalWebhook> started = new ArrayList<>();
  private final List<ApprovalQueue.Subscription> subscriptions = new ArrayList<>();
  private boolean closed;

  private GatewayApprovals(ApprovalQueue queue, RedisApprovalQueue redisQueue, ApprovalInbox inbox,
      List<URI> webhooks, byte[] secret, boolean slack, URI publicUrl) {
    this.queue = queue;
    this.redisQueue = redisQueue;
    this.inbox = inbox;
    this.webhooks = webhooks;
    this.secret = secret;
    this.slack = slack;
    this.publicUrl = publicUrl;
  }

  /**
   * The approvals {@code settings} ask for, or {@code null} if none; the webhooks' secret is read
   * from the environment variable {@code approval-webhook-secret-env} names, through {@code
   * environment}.
   *
   * @throws IllegalArgumentException if the settings are incomplete or wrong (webhooks without
   *     approvals or without a secret, a secret shorter than 16 bytes, a bad URL or format, an
   *     unreadable approver token file)
   */
  static GatewayApprovals create(GatewayConfig settings, Function<String, String> environment) {
    return create(settings, environment, null);
  }

  /**
   * As {@link #create(GatewayConfig, Function)}, the queue in the Redis of {@code redis} when it is
   * not {@code null} (closed by {@link #close()}, which must come before {@code redis}'s), in
   * memory otherwise.
   *
   * @throws IllegalArgumentException also if Redis cannot be reached now
   */
  static GatewayApprovals create(GatewayConfig settings, Function<String, String> environment,
      RedisCounters redis) {
    List<URI> webhooks = settings.approvalWebhookUris();
    boolean slack = settings.slackWebhooks();
    URI publicUrl = settings.publicUri();
    if (settings.approvals() == null) {
      if (!webhooks.isEmpty()) {
        throw new IllegalArgumentException("--approval-webhook needs --approvals (the inbox its links point to)");
      }
      return null;
    }
    byte[] secret = null;
    if (!webhooks.isEmpty()) {
      String name = settings.approvalWebhookSecretEnv();
      if (name == null) {
        throw new IllegalArgumentException(
            "--approval-webhook needs --approval-webhook-secret-env NAME (the HMAC secret's environment variable)");
      }
      String value = environment.apply(name);
      if (value == null) {
        throw new IllegalArgumentException("approval-webhook-secret-env: environment variable " + name + " is not set");
      }
      secret = value.getBytes(StandardCharsets.UTF_8);
      if (secret.length < 16) {
        throw new IllegalArgumentException(
            "approval-webhook-secret-env: the secret in " + name + " is shorter than 16 bytes");
      }
    }
    ApproverTokens approvers = ApproverTokens.load(settings.approvals());
    if (settings.tokens() != null && approvers.sharesATokenWith(ApproverTokens.load(settings.tokens()))) {
      throw new IllegalArgumentException("--approvals " + settings.approvals() + " and --tokens " + settings.tokens()
          + " share a token: an agent holding it could answer approval requests; give approvers tokens of their own");
    }
    RedisApprovalQueue redisQueue = redis == null ? null : redis.approvalQueue(settings.redisTimeoutDuration());
    ApprovalQueue queue = redisQueue != null ? redisQueue : InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
    boolean https = publicUrl != null && "https".equalsIgnoreCase(publicUrl.getScheme());
    ApprovalInbox inbox = ApprovalInbox.builder(queue).approvers(approvers).secureCookie(https).build();
    return new GatewayApprovals(queue, redisQueue, inbox, webhooks, secret, slack, publicUrl);
  }

  /** The queue the engine holds calls in. */
  ApprovalQueue queue() {
    return queue;
  }

  /** The inbox to serve. */
  ApprovalInbox inbox() {
    return inbox;
  }

  /**
   * Starts the webhooks, their links under the public URL or, without one, under {@code
   * http://<address>} ({@code http://localhost:<port>} when the address is a wildcard such as
   * {@code 0.0.0.0}, which no approver can open; a warning then asks for {@code --public-url});
   * returns the inbox's URL.
   */
  synchronized String startWebhooks(InetSocketAddress address) {
    String base = publicUrl != null ? publicUrl.toString() : "http://" + linkHost(address) + ":" + address.getPort();
    String inboxUrl = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + inbox.mountPath();
    for (URI target : webhooks) {
      ApprovalWebhook webhook = ApprovalWebhook.builder(target, secret, inboxUrl).slack(slack).build();
      started.add(webhook);
      subscriptions.add(webhook.subscribe(queue));
      LOG.info("toolgate-gateway: approval requests are posted to {}", Main.withoutSecrets(target, false));
    }
    return inboxUrl + "/";
  }

  /** The host named in links to {@code address} without a public URL. */
  private String linkHost(InetSocketAddress address) {
    java.net.InetAddress ip = address.getAddress();
    if (ip == null) {
      return address.getHostString();
    }
    if (ip.isAnyLocalAddress()) {
      if (!webhooks.isEmpty()) {
        LOG.warn("toolgate-gateway: listening on a wildcard address without --public-url: webhook links name "
            + "localhost, which only an approver on this machine can open; set --public-url");
      }
      return "localhost";
    }
    return ip.getAddress().length == 16 ? "[" + address.getHostString() + "]" : address.getHostString();
  }

  /**
   * Stops the webhooks (no new deliveries, pending retries dropped), then closes a Redis queue (its
   * connections; the client stays open). Idempotent.
   */
  @Override
  public synchronized void close() {
    for (ApprovalQueue.Subscription subscription : subscriptions) {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.debug("could not unsubscribe an approval webhook", e);
      }
    }
    subscriptions.clear();
    started.forEach(ApprovalWebhook::close);
    started.clear();
    if (redisQueue != null && !closed) {
      closed = true;
      redisQueue.close();
    }
  }
}
