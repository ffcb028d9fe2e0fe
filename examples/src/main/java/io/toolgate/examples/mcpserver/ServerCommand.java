package io.toolgate.examples.mcpserver;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.toolgate.api.AgentText;
import io.toolgate.engine.Policy;
import io.toolgate.engine.audit.JsonLinesAuditSink;
import io.toolgate.examples.mcpserver.QuantConnectServer.Options;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link QuantConnectServer}'s command line: flags, the console that answers held calls
 * ({@code approve <id>}, {@code reject <id>}), an approval webhook ({@code --approval-webhook URL
 * --approval-webhook-secret-env NAME [--approval-webhook-format json|slack]}: the secret is read
 * from that environment variable, never from the command line), and span export by OTLP when
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set.
 */
final class ServerCommand {
  private ServerCommand() {}

  /** Printed on standard error when the server runs on the shipped tokens, which anyone can read. */
  static final String DEMO_TOKENS_WARNING =
      "WARNING: no --tokens file given: accepting the DEMO tokens shipped in the jar, which anyone can"
          + " read. Never expose this server; pass --tokens FILE for real use.";

  static final String USAGE =
      "usage: QuantConnectServer [--port N] [--tokens FILE] [--approvers FILE] [--policy FILE] [--audit FILE]"
          + " [--allowed-origin ORIGIN]... [--approval-webhook URL --approval-webhook-secret-env NAME"
          + " [--approval-webhook-format json|slack]]";

  private static final List<String> FLAGS = List.of("--port", "--tokens", "--approvers", "--policy", "--audit",
      "--allowed-origin", "--approval-webhook", "--approval-webhook-secret-env", "--approval-webhook-format");

  /**
   * Runs the server until its standard input closes or the process is stopped. A bad flag or file
   * is one line on standard error and exit status 2.
   */
  static void run(String[] args) throws IOException {
    Options options;
    try {
      options = parse(args, System.getenv());
    } catch (IllegalArgumentException | UncheckedIOException e) {
      System.err.println("QuantConnectServer: " + oneLine(e.getMessage()));
      System.exit(2);
      return;
    }
    if (options.tokens().isShipped()) {
      System.err.println(DEMO_TOKENS_WARNING);
    }
    String webhook = webhookTarget(args);
    OpenTelemetrySdk otlp = Otlp.fromEnvironment(System.getenv());
    if (otlp != null) {
      options.openTelemetry(otlp);
      Runtime.getRuntime().addShutdownHook(new Thread(otlp::close, "otlp-flush"));
      System.out.println("exporting spans by OTLP to " + System.getenv(Otlp.ENDPOINT));
    }
    options.onPending(
        pending -> System.out.println("approval needed: " + AgentText.excerpt(pending.request().call().tool())
            + " by " + pending.request().context().principal() + " -> type: approve " + pending.id()));
    QuantConnectServer server;
    try {
      server = QuantConnectServer.start(options);
    } catch (RuntimeException e) {
      System.err.println("QuantConnectServer: " + oneLine(e.getMessage()));
      System.exit(1);
      return;
    }
    System.out.println("QuantConnect-like MCP server guarded by Toolgate on " + server.endpoint());
    System.out.println("send Authorization: Bearer <token>, " + options.tokens().size() + " tokens accepted;"
        + " type 'approve <id>' or 'reject <id>' to answer held calls; metrics at " + server.baseUrl() + "/metrics");
    System.out.println("approvals inbox at " + server.inboxUrl() + " (sign in with "
        + (options.approvers().isShipped() ? "demo-approver-token" : "an approver token") + ")");
    if (webhook != null) {
      System.out.println("held calls are posted to " + webhook + " (signed with X-Toolgate-Signature)");
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] words = line.strip().split("\\s+");
      if (words.length == 2 && words[0].equals("approve")) {
        System.out.println(server.approvals().approve(words[1], "console") ? "approved" : "no such pending id");
      } else if (words.length == 2 && words[0].equals("reject")) {
        System.out.println(server.approvals().reject(words[1], "console", "rejected at the console")
            ? "rejected" : "no such pending id");
      } else if (!line.isBlank()) {
        System.out.println("commands: approve <id>, reject <id>");
      }
    }
    // stdin closed (e.g. started in the background with </dev/null): keep serving until stopped
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    try {
      Thread.currentThread().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The options the command line asks for (port 8080 unless {@code --port}), reading the webhook's
   * secret from {@code env}.
   *
   * @throws IllegalArgumentException with a one-line message, for an unknown flag, a flag without
   *     its value, a bad port, or webhook flags that do not make one webhook
   * @throws UncheckedIOException for a file that cannot be read
   */
  static Options parse(String[] args, Map<String, String> env) {
    Options options = new Options().port(8080);
    List<String> origins = new ArrayList<>();
    String webhook = null;
    String secretEnv = null;
    String format = null;
    for (int i = 0; i < args.length; i += 2) {
      String flag = args[i];
      if (!FLAGS.contains(flag)) {
        throw new IllegalArgumentException("unknown option " + AgentText.excerpt(flag) + "; " + USAGE);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String value = args[i + 1];
      switch (flag) {
        case "--port" -> options.port(port(value));
        case "--tokens" -> options.tokens(TokenFile.load(Path.of(value)));
        case "--approvers" -> options.approvers(TokenFile.load(Path.of(value)));
        case "--policy" -> options.policy(policy(Path.of(value)));
        case "--audit" -> options.audit(JsonLinesAuditSink.toFile(Path.of(value)));
        case "--approval-webhook" -> webhook = value;
        case "--approval-webhook-secret-env" -> secretEnv = value;
        case "--approval-webhook-format" -> format = value;
        default -> origins.add(value);
      }
    }
    if (webhook != null || secretEnv != null || format != null) {
      webhook(options, webhook, secretEnv, format, env);
    }
    return options.allowedOrigins(origins);
  }

  private static void webhook(Options options, String target, String secretEnv, String format, Map<String, String> env) {
    if (target == null) {
      throw new IllegalArgumentException("--approval-webhook-secret-env and --approval-webhook-format need --approval-webhook URL");
    }
    URI uri = webhookUri(target);
    if (uri == null) {
      throw new IllegalArgumentException("--approval-webhook must be an http:// or https:// URL, was " + AgentText.excerpt(target));
    }
    if (secretEnv == null) {
      throw new IllegalArgumentException("--approval-webhook needs --approval-webhook-secret-env NAME (the variable holding its signing secret)");
    }
    String secret = env.get(secretEnv);
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("the environment variable " + AgentText.excerpt(secretEnv)
          + " (--approval-webhook-secret-env) is not set");
    }
    String f = format == null ? "json" : format;
    if (!f.equals("json") && !f.equals("slack")) {
      throw new IllegalArgumentException("--approval-webhook-format must be json or slack, was " + AgentText.excerpt(f));
    }
    try {
      options.approvalWebhook(uri, secret.getBytes(StandardCharsets.UTF_8), f.equals("slack"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--approval-webhook-secret-env " + AgentText.excerpt(secretEnv) + ": " + e.getMessage(), e);
    }
  }

  /** {@code target} as an absolute http(s) URL with a host, or null. */
  private static URI webhookUri(String target) {
    try {
      URI uri = new URI(target);
      boolean web = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
      return web && uri.getHost() != null ? uri : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /**
   * Where the webhook posts, for the start-up line: scheme, host and port only, since a webhook's
   * path often holds a secret (Slack's do).
   */
  private static String webhookTarget(String[] args) {
    for (int i = 0; i + 1 < args.length; i += 2) {
      URI uri = args[i].equals("--approval-webhook") ? webhookUri(args[i + 1]) : null;
      if (uri != null) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + "/...";
      }
    }
    return null;
  }

  private static int port(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // worded below
    }
    throw new IllegalArgumentException("--port must be a number from 0 to 65535, was " + AgentText.excerpt(value));
  }

  private static Policy policy(Path file) {
    try {
      return Policy.load(file);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot load policy " + file + ": " + oneLine(e.getMessage()), e);
    }
  }

  /** The first line of {@code message}, bounded. */
  private static String oneLine(String message) {
    if (message == null) {
      return "failed";
    }
    int end = message.indexOf('\n');
    return AgentText.excerpt(end < 0 ? message : message.substring(0, end), 400);
  }
}
