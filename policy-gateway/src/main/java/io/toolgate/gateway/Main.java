package io.toolgate.gateway;

import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyLoadException;
import io.toolgate.engine.PolicyWatcher;
import io.toolgate.engine.audit.AsyncAuditSink;
import io.toolgate.engine.audit.JsonLinesAuditSink;
import io.toolgate.gateway.internal.RedisCounters;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar toolgate-gateway.jar --policy policy.yaml [options] -- <server command...>}:
 * the agent's MCP client starts the gateway as it would start the server; the gateway starts the
 * server as a child process and relays between them, deciding every {@code tools/call}. Stdout
 * carries JSON-RPC only; logs go to stderr. Exit 0 when the client closes stdin, 1 when the
 * gateway cannot start (policy, audit file, command, Redis), 2 on a usage error. On SIGTERM, or
 * when stdin closes, the gateway drains ({@link Gateway#close()}), then closes the approvals (their
 * webhooks and Redis queue), the policy watcher, the Redis store and client and, last, the audit
 * file.
 */
@Command(
    name = "toolgate-gateway",
    mixinStandardHelpOptions = true,
    version = "toolgate-gateway 0.1.0",
    description = "Relays MCP between a client (stdio or streamable HTTP) and a server (a command or an HTTP URL), deciding every tools/call.")
public final class Main implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  @CommandLine.Mixin
  GatewayOptions options = new GatewayOptions();

  private final InputStream in;
  private final OutputStream out;

  Main(InputStream in, OutputStream out) {
    this.in = in;
    this.out = out;
  }

  public static void main(String[] args) {
    // JSON-RPC owns the real stdout; anything else printed goes to stderr.
    OutputStream stdout = new FileOutputStream(FileDescriptor.out);
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
    int code = run(System.in, stdout, args);
    System.exit(code);
  }

  /** Parses {@code args} and runs the gateway on {@code in} and {@code out}; the exit code. */
  static int run(InputStream in, OutputStream out, String... args) {
    CommandLine commandLine = new CommandLine(new Main(in, out));
    commandLine.setOut(new java.io.PrintWriter(System.err, true));
    return commandLine.execute(args);
  }

  @Override
  public Integer call() {
    GatewayConfig settings;
    Policy loaded;
    Map<String, String> headers;
    java.net.URI url;
    java.net.InetSocketAddress address;
    try {
      Path config = options.config;
      settings = (config == null ? GatewayConfig.empty() : GatewayConfig.load(config)).overriddenBy(options.toConfig());
      if (settings.policy() == null) {
        throw new IllegalArgumentException("no policy: give --policy or policy: in --config");
      }
      boolean noCommand = settings.command() == null || settings.command().isEmpty();
      if (noCommand == (settings.upstreamUrl() == null)) {
        throw new IllegalArgumentException(noCommand
            ? "no server: give its command after -- (or command: in --config), or --upstream-url"
            : "give the server's command or --upstream-url, not both");
      }
      headers = settings.upstreamHeaderValues(System::getenv);
      url = settings.upstreamUrl() == null ? null : java.net.URI.create(settings.upstreamUrl());
      if (url != null && !"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
        throw new IllegalArgumentException("--upstream-url must be an http or https URL, was " + url);
      }
      address = settings.listenAddress();
      settings.validate();
      if ((settings.jwksUrl() != null || settings.jwksFile() != null)
          && (settings.issuer() == null || settings.audience() == null)) {
        throw new IllegalArgumentException("JWTs need --issuer and --audience");
      }
      loaded = Policy.load(settings.policy());
    } catch (PolicyLoadException | IllegalArgumentException e) {
      System.err.println("toolgate-gateway: " + e.getMessage());
      return 1;
    }
    RedisCounters counters;
    try {
      counters = settings.redis() == null ? null : RedisCounters.connect(settings.redis(), settings.redisTimeoutDuration());
    } catch (IllegalArgumentException e) {
      System.err.println("toolgate-gateway: " + e.getMessage());
      return 1;
    }

    AsyncAuditSink sink = settings.audit() == null
        ? null
        : AsyncAuditSink.wrap(JsonLinesAuditSink.toFile(settings.audit())).build();
    PolicyEngine.Builder engine = PolicyEngine.builder(loaded)
        .failOpen(Boolean.TRUE.equals(settings.failOpen()))
        .shadowMode(Boolean.TRUE.equals(settings.shadow()));
    if (sink != null) {
      engine.audit(sink);
    }
    if (counters != null) {
      // The store times its own commands out; the engine's timer is only a backstop behind it.
      java.time.Duration backstop = settings.redisTimeoutDuration().multipliedBy(2);
      java.time.Duration least = PolicyEngine.Builder.DEFAULT_STORE_TIMEOUT;
      engine.counterStore(counters.store()).storeTimeout(backstop.compareTo(least) > 0 ? backstop : least);
    }
    GatewayApprovals approvals;
    try {
      if (settings.approvals() != null && address == null) {
        throw new IllegalArgumentException("--approvals needs --listen");
      }
      approvals = GatewayApprovals.create(settings, System::getenv, counters);
    } catch (IllegalArgumentException e) {
      System.err.println("toolgate-gateway: " + e.getMessage());
      new Closing(null, counters, sink).close();
      return 1;
    }
    if (approvals != null) {
      engine.approvals(approvals.queue());
    }
    Metrics metrics = address == null ? null : new Metrics();
    if (metrics != null) {
      engine.observe(metrics.observer);
    }
    PolicyEngine built = engine.build();
    PolicyWatcher watcher = Boolean.FALSE.equals(settings.watch())
        ? null
        : metrics == null
            ? PolicyWatcher.watch(built, settings.policy())
            : PolicyWatcher.watch(built, settings.policy(), metrics.bind(built));

    String server = url != null ? withoutSecrets(url, true) : program(settings.command());
    String who = settings.principal() != null ? settings.principal() : Gateway.DEFAULT_PRINCIPAL;
    CallContext context = new CallContext(who, Set.copyOf(settings.roles() == null ? List.of() : settings.roles()),
        Map.of(), null);
    Gateway.Builder builder = (url != null
            ? Gateway.builder(built, url).upstreamHeaders(headers)
            : Gateway.builder(built, settings.command()))
        .context(context)
        .requestTimeout(settings.requestTimeoutDuration())
        .grace(settings.graceDuration())
        .restartBackoff(settings.restartBackoffDuration());
    if (settings.maxInFlight() != null) {
      builder.maxInFlight(settings.maxInFlight());
    }
    if (settings.maxMessageBytes() != null) {
      builder.maxMessageBytes(settings.maxMessageBytes());
    }
    if (address != null) {
      return serveHttp(settings, builder, address, metrics, new Closing(watcher, counters, sink), approvals);
    }
    Gateway gateway = builder.build();
    Closing rest = new Closing(watcher, counters, sink);
    Thread hook = new Thread(() -> shutDown(gateway, rest), "toolgate-gateway-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      LOG.info("toolgate-gateway: policy {} for principal {}, server {}", settings.policy(), who, server);
      gateway.serve(in, out);
      return 0;
    } catch (java.io.IOException e) {
      System.err.println("toolgate-gateway: cannot start the server " + server + ": " + e.getMessage());
      return 1;
    } finally {
      shutDown(gateway, rest);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run
      }
    }
  }

  private static int serveHttp(GatewayConfig settings, Gateway.Builder sessions, java.net.InetSocketAddress address,
      Metrics metrics, Closing rest, GatewayApprovals approvals) {
    GatewayServer server;
    try {
      GatewayServer.Builder http = httpServer(settings, sessions, address).metrics(metrics.registry::scrape);
      if (approvals != null) {
        http.approvalsInbox(approvals.inbox());
      }
      server = http.start();
    } catch (IllegalArgumentException | java.io.IOException e) {
      System.err.println("toolgate-gateway: cannot serve HTTP at " + address + ": " + e.getMessage());
      if (approvals != null) {
        approvals.close();
      }
      rest.close();
      return 1;
    }
    Thread hook = new Thread(() -> {
      server.close();
      if (approvals != null) {
        approvals.close();
      }
      rest.close();
    }, "toolgate-gateway-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    LOG.info("toolgate-gateway: serving MCP at {}", server.endpoint());
    if (approvals != null) {
      LOG.info("toolgate-gateway: approvals inbox at {}", approvals.startWebhooks(server.address()));
    }
    try {
      server.awaitShutdown();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
    }
    return 0;
  }

  /**
   * The HTTP server as {@code settings} configure it, without metrics or approvals: listening on
   * {@code address}, grace, identity (tokens, JWTs), origins, and the session and connection caps.
   *
   * @throws IllegalArgumentException if the token file, a JWT setting or a limit is bad
   */
  static GatewayServer.Builder httpServer(GatewayConfig settings, Gateway.Builder sessions,
      java.net.InetSocketAddress address) {
    GatewayServer.Builder http = GatewayServer.builder(sessions).listen(address).grace(settings.graceDuration())
        .sessionIdle(settings.sessionIdleDuration());
    if (settings.tokens() != null) {
      http.tokenFile(settings.tokens());
    }
    if (settings.jwksUrl() != null || settings.jwksFile() != null) {
      JwtVerifier.Builder jwt = JwtVerifier.builder(settings.issuer(), settings.audience());
      if (settings.jwksFile() != null) {
        jwt.jwksFile(settings.jwksFile());
      } else {
        jwt.jwksUrl(java.net.URI.create(settings.jwksUrl()));
      }
      if (settings.principalClaim() != null) {
        jwt.principalClaim(settings.principalClaim());
      }
      http.jwt(jwt.rolesClaim(settings.rolesClaim()).build()).authorizationServers(List.of(settings.issuer()));
    }
    if (settings.allowedOrigins() != null) {
      http.allowedOrigins(settings.allowedOrigins());
    }
    if (settings.maxSessions() != null) {
      http.maxSessions(settings.maxSessions());
    }
    if (settings.maxConnections() != null) {
      http.maxConnections(settings.maxConnections());
    }
    return http;
  }

  /**
   * What is closed after the gateway, once, in this order: the policy watcher; the Redis store
   * (its refunds were settled as the calls ended); the audit file last, so that the decisions of
   * the calls that finished while draining are in it.
   */
  private static final class Closing {
    private final PolicyWatcher watcher;
    private final RedisCounters counters;
    private final AsyncAuditSink sink;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    Closing(PolicyWatcher watcher, RedisCounters counters, AsyncAuditSink sink) {
      this.watcher = watcher;
      this.counters = counters;
      this.sink = sink;
    }

    void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      if (watcher != null) {
        watcher.close();
      }
      if (counters != null) {
        counters.close();
      }
      if (sink != null) {
        sink.close();
      }
    }
  }

  /** The metrics {@code /metrics} serves: Toolgate's meters in a Prometheus registry. */
  private static final class Metrics {
    final io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    final io.toolgate.micrometer.ToolgateMetrics observer = io.toolgate.micrometer.ToolgateMetrics.builder(registry).build();

    PolicyWatcher.Listener bind(PolicyEngine engine) {
      observer.bindTo(engine);
      return observer.reloadListener(new PolicyWatcher.Listener() {
        @Override
        public void reloaded(Path file, Policy policy) {
          LOG.info("reloaded policy {}", file);
        }

        @Override
        public void failed(Path file, RuntimeException error) {
          LOG.warn("policy {} failed to load; the old policy stays in force: {}", file, error.getMessage());
        }
      });
    }
  }

  private static void shutDown(Gateway gateway, Closing rest) {
    gateway.close();
    rest.close();
  }

  /**
   * {@code uri} as a log may show it: scheme, host and port, and the path when {@code withPath}; never
   * user info, query or fragment, which may carry a credential (a Slack webhook's path is one, too).
   */
  static String withoutSecrets(java.net.URI uri, boolean withPath) {
    String host = uri.getHost() != null ? uri.getHost() : "?";
    String port = uri.getPort() >= 0 ? ":" + uri.getPort() : "";
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "" : withPath ? uri.getRawPath() : "/...";
    return uri.getScheme() + "://" + host + port + path;
  }

  /** A server command as a log may show it: the program and the number of arguments, which may hold credentials. */
  static String program(List<String> command) {
    return command.isEmpty() ? "(none)" : command.get(0) + (command.size() > 1 ? " (+" + (command.size() - 1) + " arguments)" : "");
  }
}
