package io.toolgate.examples.mcpserver;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.opentelemetry.api.OpenTelemetry;
import io.toolgate.api.AuditSink;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.approvals.ApprovalInbox;
import io.toolgate.approvals.ApprovalInboxServlet;
import io.toolgate.approvals.ApprovalWebhook;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.mcp.McpSessionFilter;
import io.toolgate.mcp.McpSessionOwners;
import io.toolgate.mcp.McpToolGuard;
import io.toolgate.micrometer.ToolgateMetrics;
import io.toolgate.opentelemetry.OpenTelemetryObserver;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * A QuantConnect-like MCP server whose tools are guarded by {@code quantconnect-policy.yaml}
 * (beside this class): streamable HTTP at {@code /mcp} on an embedded Tomcat bound to
 * 127.0.0.1, bearer tokens from a token file naming each caller, and Toolgate's metrics in the
 * Prometheus text format at {@code /metrics} ({@code policy-micrometer}).
 *
 * <pre>
 * java -cp examples/target/toolgate-demo.jar io.toolgate.examples.mcpserver.QuantConnectServer \
 *     --port 8080 [--tokens tokens.txt] [--policy policy.yaml] [--audit audit.jsonl] \
 *     [--allowed-origin https://app.example.com]... [--approval-webhook URL \
 *     --approval-webhook-secret-env NAME [--approval-webhook-format json|slack]]
 * </pre>
 *
 * <p>In front of the MCP transport, in this order: requests from a web {@code Origin} that is
 * neither loopback nor allowed get 403 ({@link OriginFilter}, also in front of {@code /metrics}
 * and, allowing the inbox's own {@code Origin: null} form posts, of the inbox); requests without a valid bearer
 * token get 401 ({@link BearerTokenFilter}); requests naming an MCP session that is unknown get
 * 404, and one another principal opened 403 ({@link McpSessionFilter}). Without {@code --tokens}
 * the server accepts the shipped demo tokens and says so loudly on standard error.
 *
 * <p>Standalone, it prints each call held for approval; answer it in the approvals inbox at
 * {@code /approvals/} (approvers sign in with a token from {@code --approvers}, default the shipped
 * {@code approvers.txt}), or type {@code approve <id>} or {@code reject <id>} on its standard input.
 * With a webhook ({@link Options#approvalWebhook}), each new held call is also POSTed, signed, to a
 * URL, with a link into the inbox.
 */
public final class QuantConnectServer implements AutoCloseable {
  /** The policy shipped beside this class. */
  public static final String POLICY_RESOURCE = "io/toolgate/examples/mcpserver/quantconnect-policy.yaml";

  /** Held so the level sticks: Tomcat's start-up lines would drown the example's output. */
  private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");

  private final Tomcat tomcat;
  private final Connector connector;
  private final McpSyncServer mcp;
  private final PolicyEngine engine;
  private final InMemoryApprovalQueue approvals;
  private final QuantConnectTools tools;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private ApprovalWebhook webhook;
  private ApprovalQueue.Subscription webhookSubscription;

  private QuantConnectServer(Options options) {
    TOMCAT_LOG.setLevel(Level.SEVERE);
    this.tools = new QuantConnectTools();
    this.approvals =
        InMemoryApprovalQueue.builder(options.clock).onPending(options.onPending).build();
    ToolgateMetrics observer = ToolgateMetrics.builder(metrics).histogram(true).approvalsPending(approvals).build();
    PolicyEngine.Builder engineBuilder =
        PolicyEngine.builder(options.policy).approvals(approvals).clock(options.clock).observe(observer);
    if (options.audit != null) {
      engineBuilder.audit(options.audit);
    }
    if (options.openTelemetry != null) {
      engineBuilder.observe(OpenTelemetryObserver.create(options.openTelemetry));
    }
    this.engine = engineBuilder.build();
    observer.bindTo(engine);

    // Identity: the bearer-token filter verified the caller; the extractor hands it to the guard
    // and to the session filter, which keeps each MCP session to the principal that opened it.
    var transport =
        HttpServletStreamableServerTransportProvider.builder()
            .mcpEndpoint("/mcp")
            .contextExtractor(QuantConnectServer::identify)
            .build();
    McpSessionOwners sessionOwners = McpSessionOwners.create();
    McpToolGuard guard = McpToolGuard.builder(engine).sessionOwners(sessionOwners).build();
    this.mcp =
        McpServer.sync(transport)
            .serverInfo("quantconnect-example", "1.0")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            // the policy's argument schemas do the checking, so every refusal is decided and audited
            .validateToolInputs(false)
            .tools(guard.sync(tools.specifications()))
            .addToolFilter(guard.syncListFilter())
            .build();

    this.tomcat = new Tomcat();
    try {
      tomcat.setBaseDir(Files.createTempDirectory("toolgate-example-tomcat").toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Tomcat's work directory", e);
    }
    this.connector = new Connector();
    connector.setPort(options.port);
    connector.setProperty("address", "127.0.0.1");
    // No keep-alive: every response says "Connection: close", and only that (McpSessionFilter
    // drops the SDK's own "keep-alive"), so a client that pools connections (the JDK HttpClient
    // the MCP SDK uses) never sends a request on a connection Tomcat is closing, which fails with
    // "header parser received no bytes". On loopback, a connection per request costs next to nothing.
    connector.setProperty("maxKeepAliveRequests", "1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", null);
    Tomcat.addServlet(context, "mcp", transport).setAsyncSupported(true);
    context.addServletMapping("/mcp", "mcp");
    ApprovalInbox inbox = ApprovalInbox.builder(approvals)
        .approvers(token -> options.approvers.identify(token).map(CallContext::principal)).build();
    Tomcat.addServlet(context, "approvals", new ApprovalInboxServlet(inbox));
    context.addServletMapping(inbox.mountPath() + "/*", "approvals");
    Tomcat.addServlet(context, "metrics", new MetricsServlet(metrics));
    context.addServletMapping("/metrics", "metrics");
    // In this order: untrusted web origins, then callers without a valid token, then requests in
    // a session that is unknown or another principal's, are refused before the transport.
    addFilter(context, "origin", new OriginFilter(options.allowedOrigins), "/mcp", "/metrics");
    addFilter(context, "inbox-origin", OriginFilter.forInbox(options.allowedOrigins), inbox.mountPath() + "/*");
    addFilter(context, "bearer", new BearerTokenFilter(options.tokens), "/mcp");
    addFilter(context, "session", McpSessionFilter.of(sessionOwners, QuantConnectServer::identify), "/mcp");
  }

  private static McpTransportContext identify(HttpServletRequest request) {
    return request.getAttribute(BearerTokenFilter.IDENTITY) instanceof CallContext identity
        ? McpIdentityResolver.transportContext(identity)
        : McpTransportContext.EMPTY;
  }

  private static void addFilter(Context context, String name, Filter filter, String... urlPatterns) {
    FilterDef def = new FilterDef();
    def.setFilterName(name);
    def.setFilter(filter);
    def.setAsyncSupported("true");
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName(name);
    for (String urlPattern : urlPatterns) {
      map.addURLPattern(urlPattern);
    }
    context.addFilterMap(map);
  }

  /** Starts a server; see {@link Options}. */
  public static QuantConnectServer start(Options options) {
    QuantConnectServer server = new QuantConnectServer(options);
    try {
      server.tomcat.start();
    } catch (LifecycleException e) {
      server.close();
      throw new IllegalStateException("cannot start the server on port " + options.port, e);
    }
    if (server.connector.getLocalPort() <= 0) {
      server.close();
      throw new IllegalStateException("cannot listen on 127.0.0.1:" + options.port);
    }
    if (options.webhook != null) {
      // built once the port is known: each request's link points into this server's inbox
      server.webhook = ApprovalWebhook.builder(options.webhook.target(), options.webhook.secret(), server.inboxUrl())
          .slack(options.webhook.slack()).build();
      server.webhookSubscription = server.webhook.subscribe(server.approvals);
    }
    return server;
  }

  /** The MCP endpoint, e.g. {@code http://127.0.0.1:8080/mcp}. */
  public String endpoint() {
    return baseUrl() + "/mcp";
  }

  /** The server's address without the endpoint path. */
  public String baseUrl() {
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  /** The approvals inbox, e.g. {@code http://127.0.0.1:8080/approvals/}: approvers sign in with their token. */
  public String inboxUrl() {
    return baseUrl() + "/approvals/";
  }

  /** The approval queue the human in the loop answers. */
  public InMemoryApprovalQueue approvals() {
    return approvals;
  }

  /** The registry {@code /metrics} serves. */
  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  /** The engine guarding the tools. */
  public PolicyEngine engine() {
    return engine;
  }

  /** The tools, with their run counts. */
  public QuantConnectTools tools() {
    return tools;
  }

  @Override
  public void close() {
    if (webhookSubscription != null) {
      webhookSubscription.close();
      webhook.close();
    }
    mcp.close();
    metrics.close();
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      throw new IllegalStateException("cannot stop Tomcat", e);
    }
  }

  /** Where and how to run. Every setting has a default. */
  public static final class Options {
    private int port;
    private Policy policy = Policy.fromResource(POLICY_RESOURCE);
    private TokenFile tokens = TokenFile.shipped();
    private TokenFile approvers = TokenFile.shippedApprovers();
    private AuditSink audit;
    private Clock clock = Clock.systemUTC();
    private Consumer<? super PendingApproval> onPending = pending -> {};
    private List<String> allowedOrigins = List.of();
    private OpenTelemetry openTelemetry;
    private Webhook webhook;

    /** Where held calls are posted: a URL, the signing secret, Slack-style text or JSON. */
    private record Webhook(URI target, byte[] secret, boolean slack) {}

    /** The port on 127.0.0.1; 0 (default) picks a free one. */
    public Options port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /** The policy; default the one shipped beside the server. */
    public Options policy(Policy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The accepted bearer tokens. */
    TokenFile tokens() {
      return tokens;
    }

    /** The accepted bearer tokens; default the shipped {@code tokens.txt}. */
    public Options tokens(TokenFile tokens) {
      this.tokens = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /** Who may sign in to the approvals inbox; default the shipped {@code approvers.txt}. */
    public Options approvers(TokenFile approvers) {
      this.approvers = Objects.requireNonNull(approvers, "approvers");
      return this;
    }

    /** Where decisions are audited; default nowhere. */
    public Options audit(AuditSink audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /** The engine's clock; default the system clock. */
    public Options clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Web origins, besides loopback ones, whose pages may call the server (e.g. {@code
     * https://app.example.com}); default none. A request from any other {@code Origin} gets 403.
     */
    public Options allowedOrigins(List<String> allowedOrigins) {
      this.allowedOrigins = List.copyOf(allowedOrigins);
      return this;
    }

    /**
     * Traces every tool call as a span of {@code openTelemetry} ({@code policy-opentelemetry}),
     * parented by the trace context a client sends in {@code _meta}; default no tracing.
     */
    public Options openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /** Who may sign in to the approvals inbox. */
    TokenFile approvers() {
      return approvers;
    }

    /**
     * POSTs each new held call to {@code target} ({@link ApprovalWebhook}): the request as JSON
     * with a link into this server's inbox, or with {@code slack} a Slack-compatible {@code
     * {"text": ...}}; signed in {@code X-Toolgate-Signature} with {@code secret} (at least 16
     * bytes); retried with backoff. Default no webhook.
     *
     * @throws IllegalArgumentException for a target that is not an absolute http(s) URL or a short secret
     */
    public Options approvalWebhook(URI target, byte[] secret, boolean slack) {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(secret, "secret");
      if (!target.isAbsolute() || target.getHost() == null
          || !("http".equalsIgnoreCase(target.getScheme()) || "https".equalsIgnoreCase(target.getScheme()))) {
        throw new IllegalArgumentException("the approval webhook must be an absolute http(s) URL");
      }
      if (secret.length < 16) {
        throw new IllegalArgumentException("the approval webhook secret needs at least 16 bytes");
      }
      this.webhook = new Webhook(target, secret.clone(), slack);
      return this;
    }

    /** Told of every new pending approval. */
    public Options onPending(Consumer<? super PendingApproval> onPending) {
      this.onPending = Objects.requireNonNull(onPending, "onPending");
      return this;
    }
  }

  /**
   * Runs the server until its standard input closes or the process is stopped; see {@link
   * ServerCommand}. A bad flag or file is one line on standard error and exit status 2.
   */
  public static void main(String[] args) throws IOException {
    ServerCommand.run(args);
  }
}
