package io.toolgate.gateway;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.toolgate.engine.Windows;
import io.toolgate.redis.RedisCounterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything the gateway's flags set, as read from a YAML file ({@code --config gateway.yaml})
 * or from the flags; every value is optional ({@code null}: not set). {@link #overriddenBy}
 * puts the flags over the file.
 *
 * <pre>{@code
 * policy: policy.yaml            # relative paths are relative to this file
 * principal: local-agent
 * roles: [developer]
 * audit: audit.jsonl
 * fail-open: false
 * shadow: false
 * watch: true                    # reload the policy when its file changes
 * max-in-flight: 256
 * max-message-bytes: 16777216
 * request-timeout: 10m           # 30s, 5m, 2h, or a number of seconds
 * command: [docker, run, -i, --rm, quantconnect/mcp-server]
 * # or, instead of command, a streamable HTTP server:
 * upstream-url: https://mcp.example.com/mcp
 * upstream-headers: {Authorization: "env:SERVER_AUTH"}   # env:VAR reads an environment variable
 * # serve streamable HTTP instead of stdio:
 * listen: 127.0.0.1:8080
 * tokens: tokens.txt             # lines of sha256:<hex> principal [role...]
 * jwks-url: https://auth.example.com/.well-known/jwks.json   # or jwks-file: jwks.json
 * issuer: https://auth.example.com
 * audience: https://gateway.example.com/mcp
 * principal-claim: sub
 * roles-claim: roles
 * allowed-origins: [https://app.example.com]   # default: loopback origins only
 * max-sessions: 64
 * max-connections: 512           # HTTP client connections open at once
 * session-idle: 30m              # an HTTP session idle this long is ended
 * grace: 10s                     # how long calls in flight may finish on shutdown
 * restart-backoff: 250ms         # the first delay before an exited server command is started again
 * redis: redis://redis.internal:6379   # counters in Redis, shared by every replica
 * redis-timeout: 50ms            # how long a decision waits for Redis
 * # approvals (need listen):
 * approvals: approvers.tokens    # hold require_approval calls; serve the inbox at /approvals/
 * approval-webhooks: [https://hooks.example.com/toolgate]   # POST each new request (or one URL)
 * approval-webhook-secret-env: TOOLGATE_WEBHOOK_SECRET      # the HMAC secret's environment variable
 * approval-webhook-format: json  # or slack
 * public-url: https://gateway.example.com   # the inbox links in webhooks (default: from listen)
 * }</pre>
 */
public record GatewayConfig(
    @JsonProperty("policy") Path policy,
    @JsonProperty("principal") String principal,
    @JsonProperty("roles") List<String> roles,
    @JsonProperty("audit") Path audit,
    @JsonProperty("fail-open") Boolean failOpen,
    @JsonProperty("shadow") Boolean shadow,
    @JsonProperty("watch") Boolean watch,
    @JsonProperty("max-in-flight") Integer maxInFlight,
    @JsonProperty("max-message-bytes") Integer maxMessageBytes,
    @JsonProperty("request-timeout") String requestTimeout,
    @JsonProperty("command") List<String> command,
    @JsonProperty("upstream-url") String upstreamUrl,
    @JsonProperty("upstream-headers") Map<String, String> upstreamHeaders,
    @JsonProperty("listen") String listen,
    @JsonProperty("tokens") Path tokens,
    @JsonProperty("jwks-url") String jwksUrl,
    @JsonProperty("jwks-file") Path jwksFile,
    @JsonProperty("issuer") String issuer,
    @JsonProperty("audience") String audience,
    @JsonProperty("principal-claim") String principalClaim,
    @JsonProperty("roles-claim") String rolesClaim,
    @JsonProperty("allowed-origins") List<String> allowedOrigins,
    @JsonProperty("max-sessions") Integer maxSessions,
    @JsonProperty("grace") String grace,
    @JsonProperty("redis") String redis,
    @JsonProperty("redis-timeout") String redisTimeout,
    @JsonProperty("approvals") Path approvals,
    @JsonProperty("approval-webhooks") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<String> approvalWebhooks,
    @JsonProperty("approval-webhook-secret-env") String approvalWebhookSecretEnv,
    @JsonProperty("approval-webhook-format") String approvalWebhookFormat,
    @JsonProperty("public-url") String publicUrl,
    @JsonProperty("max-connections") Integer maxConnections,
    @JsonProperty("session-idle") String sessionIdle,
    @JsonProperty("restart-backoff") String restartBackoff) {

  /**
   * The phase-4 settings: no connection cap, session idle time or restart backoff. New code (and
   * tests) should not list every component: read a file ({@link #load}) or flags, and put one over
   * the other ({@link #overriddenBy}).
   */
  public GatewayConfig(
      Path policy, String principal, List<String> roles, Path audit, Boolean failOpen, Boolean shadow, Boolean watch,
      Integer maxInFlight, Integer maxMessageBytes, String requestTimeout, List<String> command, String upstreamUrl,
      Map<String, String> upstreamHeaders, String listen, Path tokens, String jwksUrl, Path jwksFile, String issuer,
      String audience, String principalClaim, String rolesClaim, List<String> allowedOrigins, Integer maxSessions,
      String grace, String redis, String redisTimeout, Path approvals, List<String> approvalWebhooks,
      String approvalWebhookSecretEnv, String approvalWebhookFormat, String publicUrl) {
    this(policy, principal, roles, audit, failOpen, shadow, watch, maxInFlight, maxMessageBytes, requestTimeout,
        command, upstreamUrl, upstreamHeaders, listen, tokens, jwksUrl, jwksFile, issuer, audience, principalClaim,
        rolesClaim, allowedOrigins, maxSessions, grace, redis, redisTimeout, approvals, approvalWebhooks,
        approvalWebhookSecretEnv, approvalWebhookFormat, publicUrl, null, null, null);
  }

  /** The phase-3 settings: no approvals. */
  public GatewayConfig(
      Path policy, String principal, List<String> roles, Path audit, Boolean failOpen, Boolean shadow, Boolean watch,
      Integer maxInFlight, Integer maxMessageBytes, String requestTimeout, List<String> command, String upstreamUrl,
      Map<String, String> upstreamHeaders, String listen, Path tokens, String jwksUrl, Path jwksFile, String issuer,
      String audience, String principalClaim, String rolesClaim, List<String> allowedOrigins, Integer maxSessions,
      String grace, String redis, String redisTimeout) {
    this(policy, principal, roles, audit, failOpen, shadow, watch, maxInFlight, maxMessageBytes, requestTimeout,
        command, upstreamUrl, upstreamHeaders, listen, tokens, jwksUrl, jwksFile, issuer, audience, principalClaim,
        rolesClaim, allowedOrigins, maxSessions, grace, redis, redisTimeout, null, null, null, null, null, null, null,
        null);
  }

  /** The phase-1 settings: a command upstream. */
  public GatewayConfig(
      Path policy, String principal, List<String> roles, Path audit, Boolean failOpen, Boolean shadow, Boolean watch,
      Integer maxInFlight, Integer maxMessageBytes, String requestTimeout, List<String> command) {
    this(policy, principal, roles, audit, failOpen, shadow, watch, maxInFlight, maxMessageBytes, requestTimeout,
        command, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** The phase-2 settings: an HTTP upstream, an HTTP downstream, identity, grace; no Redis. */
  public GatewayConfig(
      Path policy, String principal, List<String> roles, Path audit, Boolean failOpen, Boolean shadow, Boolean watch,
      Integer maxInFlight, Integer maxMessageBytes, String requestTimeout, List<String> command, String upstreamUrl,
      Map<String, String> upstreamHeaders, String listen, Path tokens, String jwksUrl, Path jwksFile, String issuer,
      String audience, String principalClaim, String rolesClaim, List<String> allowedOrigins, Integer maxSessions,
      String grace) {
    this(policy, principal, roles, audit, failOpen, shadow, watch, maxInFlight, maxMessageBytes, requestTimeout,
        command, upstreamUrl, upstreamHeaders, listen, tokens, jwksUrl, jwksFile, issuer, audience, principalClaim,
        rolesClaim, allowedOrigins, maxSessions, grace, null, null);
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Nothing set. */
  public static GatewayConfig empty() {
    return new GatewayConfig(null, null, null, null, null, null, null, null, null, null, null);
  }

  /**
   * Reads {@code file}; its relative paths are resolved against its directory.
   *
   * @throws IllegalArgumentException if the file cannot be read or has unknown keys or wrong types
   */
  public static GatewayConfig load(Path file) {
    GatewayConfig read;
    try {
      read = YAML.readValue(file.toFile(), GatewayConfig.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read gateway config " + file + ": " + e.getMessage(), e);
    }
    if (read == null) {
      return empty();
    }
    Path base = file.toAbsolutePath().getParent();
    return new GatewayConfig(
        resolve(base, read.policy), read.principal, read.roles, resolve(base, read.audit), read.failOpen,
        read.shadow, read.watch, read.maxInFlight, read.maxMessageBytes, read.requestTimeout, read.command,
        read.upstreamUrl, read.upstreamHeaders, read.listen, resolve(base, read.tokens), read.jwksUrl,
        resolve(base, read.jwksFile), read.issuer, read.audience, read.principalClaim, read.rolesClaim,
        read.allowedOrigins, read.maxSessions, read.grace, read.redis, read.redisTimeout,
        resolve(base, read.approvals), read.approvalWebhooks, read.approvalWebhookSecretEnv,
        read.approvalWebhookFormat, read.publicUrl, read.maxConnections, read.sessionIdle, read.restartBackoff);
  }

  /** This configuration with every value {@code flags} sets put over it. */
  public GatewayConfig overriddenBy(GatewayConfig flags) {
    return new GatewayConfig(
        or(flags.policy, policy),
        or(flags.principal, principal),
        or(flags.roles, roles),
        or(flags.audit, audit),
        or(flags.failOpen, failOpen),
        or(flags.shadow, shadow),
        or(flags.watch, watch),
        or(flags.maxInFlight, maxInFlight),
        or(flags.maxMessageBytes, maxMessageBytes),
        or(flags.requestTimeout, requestTimeout),
        flags.command != null && !flags.command.isEmpty() ? flags.command : command,
        or(flags.upstreamUrl, upstreamUrl),
        or(flags.upstreamHeaders, upstreamHeaders),
        or(flags.listen, listen),
        or(flags.tokens, tokens),
        or(flags.jwksUrl, jwksUrl),
        or(flags.jwksFile, jwksFile),
        or(flags.issuer, issuer),
        or(flags.audience, audience),
        or(flags.principalClaim, principalClaim),
        or(flags.rolesClaim, rolesClaim),
        or(flags.allowedOrigins, allowedOrigins),
        or(flags.maxSessions, maxSessions),
        or(flags.grace, grace),
        or(flags.redis, redis),
        or(flags.redisTimeout, redisTimeout),
        or(flags.approvals, approvals),
        flags.approvalWebhooks != null && !flags.approvalWebhooks.isEmpty() ? flags.approvalWebhooks : approvalWebhooks,
        or(flags.approvalWebhookSecretEnv, approvalWebhookSecretEnv),
        or(flags.approvalWebhookFormat, approvalWebhookFormat),
        or(flags.publicUrl, publicUrl),
        or(flags.maxConnections, maxConnections),
        or(flags.sessionIdle, sessionIdle),
        or(flags.restartBackoff, restartBackoff));
  }

  /**
   * The headers for the HTTP upstream, each value {@code env:VAR} replaced by that environment
   * variable's value.
   *
   * @throws IllegalArgumentException if a named variable is not set
   */
  public Map<String, String> upstreamHeaderValues(Function<String, String> environment) {
    if (upstreamHeaders == null) {
      return Map.of();
    }
    Map<String, String> values = new LinkedHashMap<>();
    upstreamHeaders.forEach((name, value) -> {
      if (value != null && value.startsWith("env:")) {
        String variable = value.substring(4);
        String read = environment.apply(variable);
        if (read == null) {
          throw new IllegalArgumentException(
              "upstream header " + name + ": environment variable " + variable + " is not set");
        }
        values.put(name, read);
      } else {
        values.put(name, value == null ? "" : value);
      }
    });
    return values;
  }

  /**
   * The request timeout, if set.
   *
   * @throws IllegalArgumentException if it is not a duration
   */
  public Duration requestTimeoutDuration() {
    if (requestTimeout == null) {
      return Gateway.DEFAULT_REQUEST_TIMEOUT;
    }
    return Windows.parse(requestTimeout)
        .orElseThrow(() -> new IllegalArgumentException(
            "request-timeout: \"" + requestTimeout + "\" is not a duration; expected " + Windows.EXPECTED));
  }

  /**
   * The shutdown grace period, if set.
   *
   * @throws IllegalArgumentException if it is not a duration
   */
  public Duration graceDuration() {
    if (grace == null) {
      return GatewayServer.DEFAULT_GRACE;
    }
    return Windows.parse(grace)
        .orElseThrow(() -> new IllegalArgumentException(
            "grace: \"" + grace + "\" is not a duration; expected " + Windows.EXPECTED));
  }

  /**
   * How long a decision waits for Redis (default {@link RedisCounterStore#DEFAULT_COMMAND_TIMEOUT}).
   *
   * @throws IllegalArgumentException if it is not a positive duration ({@code 50ms}, {@code 2s}, ...)
   */
  public Duration redisTimeoutDuration() {
    return ConfigValues.duration("redis-timeout", redisTimeout, RedisCounterStore.DEFAULT_COMMAND_TIMEOUT, false);
  }

  /**
   * How long an HTTP session with nothing in flight may stay idle (default {@link
   * GatewayServer#DEFAULT_SESSION_IDLE}).
   *
   * @throws IllegalArgumentException if it is not a positive duration
   */
  public Duration sessionIdleDuration() {
    return ConfigValues.duration("session-idle", sessionIdle, GatewayServer.DEFAULT_SESSION_IDLE, false);
  }

  /**
   * The first delay before an exited server command is started again (default {@link
   * Gateway#INITIAL_RESTART_BACKOFF}).
   *
   * @throws IllegalArgumentException if it is not a duration from 0 to {@link Gateway#MAX_RESTART_BACKOFF}
   */
  public Duration restartBackoffDuration() {
    Duration backoff = ConfigValues.duration("restart-backoff", restartBackoff, Gateway.INITIAL_RESTART_BACKOFF, true);
    if (backoff.compareTo(Gateway.MAX_RESTART_BACKOFF) > 0) {
      throw new IllegalArgumentException("restart-backoff: \"" + restartBackoff + "\" is longer than "
          + Gateway.MAX_RESTART_BACKOFF.toSeconds() + "s, the longest backoff");
    }
    return backoff;
  }

  /**
   * Checks every number and duration set, each message naming its key (the flag without {@code
   * --}): {@code max-in-flight}, {@code max-sessions} and {@code max-connections} at least 1,
   * {@code max-message-bytes} at least 1,024, and the durations as their own methods check them.
   *
   * @throws IllegalArgumentException for the first value out of range
   */
  public void validate() {
    ConfigValues.atLeast("max-in-flight", maxInFlight, 1);
    ConfigValues.atLeast("max-message-bytes", maxMessageBytes, 1024);
    ConfigValues.atLeast("max-sessions", maxSessions, 1);
    ConfigValues.atLeast("max-connections", maxConnections, 1);
    requestTimeoutDuration();
    graceDuration();
    redisTimeoutDuration();
    sessionIdleDuration();
    restartBackoffDuration();
  }

  /**
   * The address to listen on, {@code host:port}, or {@code null} for stdio.
   *
   * @throws IllegalArgumentException if it is not {@code host:port}
   */
  public java.net.InetSocketAddress listenAddress() {
    if (listen == null) {
      return null;
    }
    int colon = listen.lastIndexOf(':');
    try {
      int port = Integer.parseInt(listen.substring(colon + 1));
      String host = listen.substring(0, colon);
      return new java.net.InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host.replace("[", "").replace("]", ""), port);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("listen: \"" + listen + "\" is not host:port", e);
    }
  }

  /**
   * The approval webhooks' targets (none if not set).
   *
   * @throws IllegalArgumentException if one is not an absolute http or https URL
   */
  public List<java.net.URI> approvalWebhookUris() {
    if (approvalWebhooks == null) {
      return List.of();
    }
    return approvalWebhooks.stream().map(url -> ConfigValues.httpUrl("approval-webhook", url)).toList();
  }

  /**
   * Whether webhooks post Slack-compatible {@code {"text": ...}} bodies ({@code slack}) rather
   * than the JSON object ({@code json}, the default).
   *
   * @throws IllegalArgumentException if the format is neither
   */
  public boolean slackWebhooks() {
    if (approvalWebhookFormat == null || approvalWebhookFormat.equals("json")) {
      return false;
    }
    if (approvalWebhookFormat.equals("slack")) {
      return true;
    }
    throw new IllegalArgumentException(
        "approval-webhook-format: \"" + approvalWebhookFormat + "\" is neither json nor slack");
  }

  /**
   * The gateway's public base URL (the inbox links in webhooks), or {@code null} to take it from
   * the address listened on.
   *
   * @throws IllegalArgumentException if it is not an absolute http or https URL
   */
  public java.net.URI publicUri() {
    return publicUrl == null ? null : ConfigValues.httpUrl("public-url", publicUrl);
  }

  private static Path resolve(Path base, Path path) {
    return path == null || base == null ? path : base.resolve(path);
  }

  private static <T> T or(T first, T second) {
    return first != null ? first : second;
  }
}
