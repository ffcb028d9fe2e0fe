package io.toolgate.gateway;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The gateway's command line: every flag, each the twin of a key of {@link GatewayConfig} (the
 * flags win over {@code --config}).
 */
final class GatewayOptions {
  @Option(names = "--config", description = "YAML file with any of the options below (the flags win).")
  Path config;

  @Option(names = "--policy", description = "The policy file (JSON or YAML).")
  Path policy;

  @Option(names = "--principal", description = "The principal every call is decided for (default local-agent).")
  String principal;

  @Option(names = "--roles", split = ",", description = "The principal's roles, comma-separated.")
  List<String> roles;

  @Option(names = "--audit", description = "Append one JSON line per decision to this file.")
  Path audit;

  @Option(names = "--fail-open", arity = "0..1", fallbackValue = "true",
      description = "Allow calls when the counter store fails (audited as such); default false.")
  Boolean failOpen;

  @Option(names = "--shadow", arity = "0..1", fallbackValue = "true",
      description = "Decide and audit every call but refuse none; default false.")
  Boolean shadow;

  @Option(names = "--watch", arity = "0..1", fallbackValue = "true",
      description = "Reload the policy when its file changes; default true.")
  Boolean watch;

  @Option(names = "--max-in-flight", description = "Requests in flight at once per session, at most: waiting for the server, being decided, or held for an approval (default 256).")
  Integer maxInFlight;

  @Option(names = "--max-message-bytes", description = "Largest message accepted, in bytes (default 16 MiB).")
  Integer maxMessageBytes;

  @Option(names = "--request-timeout", description = "How long a request waits for the server: 30s, 10m, ... (default 10m).")
  String requestTimeout;

  @Option(names = "--upstream-url", description = "The server's streamable HTTP endpoint, instead of a command.")
  String upstreamUrl;

  @Option(names = "--upstream-header", paramLabel = "NAME=VALUE",
      description = "A header sent to the HTTP upstream (repeatable); VALUE env:VAR reads an environment variable.")
  Map<String, String> upstreamHeaders;

  @Option(names = "--listen", paramLabel = "HOST:PORT",
      description = "Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio.")
  String listen;

  @Option(names = "--tokens", description = "Token file: lines of sha256:<hex> principal [role...].")
  Path tokens;

  @Option(names = "--approvals", paramLabel = "APPROVER_TOKENS",
      description = "Serve the approvals inbox at /approvals on --listen; approvers sign in with the tokens in this file.")
  Path approvals;

  @Option(names = "--jwks-url", description = "Verify bearer JWTs with the keys at this URL.")
  String jwksUrl;

  @Option(names = "--jwks-file", description = "Verify bearer JWTs with the keys in this JWKS file.")
  Path jwksFile;

  @Option(names = "--issuer", description = "The iss bearer JWTs must carry (the authorization server).")
  String issuer;

  @Option(names = "--audience", description = "The aud bearer JWTs must carry (this gateway's resource URL).")
  String audience;

  @Option(names = "--principal-claim", description = "The JWT claim naming the principal (default sub).")
  String principalClaim;

  @Option(names = "--roles-claim", description = "The JWT claim listing the roles (default: no roles).")
  String rolesClaim;

  @Option(names = "--allowed-origins", split = ",", description = "Origins allowed over HTTP (default: loopback only).")
  List<String> allowedOrigins;

  @Option(names = "--max-sessions", description = "HTTP sessions open at once, at most (default 64).")
  Integer maxSessions;

  @Option(names = "--max-connections", description = "HTTP client connections open at once, at most; past it a new one gets 503 (default 512).")
  Integer maxConnections;

  @Option(names = "--session-idle", description = "How long an HTTP session with nothing in flight may stay idle before it is ended: 5m, 2h, ... (default 30m).")
  String sessionIdle;

  @Option(names = "--restart-backoff", description = "The first delay before an exited server command is started again, doubling up to 30s: 250ms, 1s, ... (default 250ms).")
  String restartBackoff;

  @Option(names = "--grace", description = "How long calls in flight may finish on shutdown (default 10s).")
  String grace;

  @Option(names = "--redis", paramLabel = "URI",
      description = "Keep counters in Redis (redis://host:port), shared by every replica on it (default: in memory).")
  String redis;

  @Option(names = "--redis-timeout", description = "How long a decision waits for Redis: 50ms, 2s, ... (default 50ms).")
  String redisTimeout;

  @Option(names = "--approval-webhook", paramLabel = "URL",
      description = "POST each new approval request to this URL (repeatable); needs --approvals and --approval-webhook-secret-env.")
  List<String> approvalWebhooks;

  @Option(names = "--approval-webhook-secret-env", paramLabel = "NAME",
      description = "The environment variable holding the webhooks' HMAC secret (at least 16 bytes).")
  String approvalWebhookSecretEnv;

  @Option(names = "--approval-webhook-format", paramLabel = "json|slack",
      description = "The webhook body: the JSON object (default) or Slack-compatible {\"text\": ...}.")
  String approvalWebhookFormat;

  @Option(names = "--public-url", paramLabel = "URL",
      description = "The gateway's public base URL, for the inbox links in webhooks (default: http://<--listen>).")
  String publicUrl;

  @Parameters(paramLabel = "COMMAND", description = "The MCP server's command and its arguments, after --.")
  List<String> command;

  /** What the flags set, as a configuration to put over the file's. */
  GatewayConfig toConfig() {
    return new GatewayConfig(policy, principal, roles, audit, failOpen, shadow, watch, maxInFlight, maxMessageBytes,
        requestTimeout, command, upstreamUrl, upstreamHeaders, listen, tokens, jwksUrl, jwksFile, issuer, audience,
        principalClaim, rolesClaim, allowedOrigins, maxSessions, grace, redis, redisTimeout, approvals,
        approvalWebhooks, approvalWebhookSecretEnv, approvalWebhookFormat, publicUrl, maxConnections, sessionIdle,
        restartBackoff);
  }

  /**
   * What {@code args} (flags, then {@code --} and a command) set, as a configuration; a way to
   * make one that does not list every component.
   *
   * @throws picocli.CommandLine.ParameterException if a flag is unknown or its value has the wrong type
   */
  static GatewayConfig parse(String... args) {
    GatewayOptions options = new GatewayOptions();
    new picocli.CommandLine(options).parseArgs(args);
    return options.toConfig();
  }
}
