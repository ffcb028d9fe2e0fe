package io.toolgate.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.toolgate.api.CallContext;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import io.toolgate.mcp.LoopbackTomcat;
import io.toolgate.mcp.McpIdentityResolver;
import io.toolgate.mcp.McpToolGuard;
import jakarta.servlet.http.HttpServletRequest;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The inbox in Debian's Chromium, driven through its chromedriver: a real MCP SDK client's call to
 * a real SDK server guarded by {@link McpToolGuard} is held; a person signs in, sees it with its
 * arguments redacted and escaped, and answers it; the client's identical call then runs (or stays
 * refused). The inbox is served by {@link ApprovalInboxServlet} in the same Tomcat as the MCP server.
 */
class InboxBrowserTest {
  static final String POLICY = """
      version: "1"
      default: allow
      tools:
        create_live_algorithm:
          action: require_approval
          reason: Going live needs a human
        liquidate_portfolio:
          action: require_approval
          reason: Selling everything needs a human
          wait: 2m
      """;
  static final AtomicInteger DEPLOYED = new AtomicInteger();
  static final List<McpSyncClient> CLIENTS = new ArrayList<>();
  static InMemoryApprovalQueue queue;
  static LoopbackTomcat tomcat;
  static McpSyncServer server;
  static ChromeDriver browser;
  static Path profile;

  static McpTransportContext identify(HttpServletRequest request) {
    String authorization = String.valueOf(request.getHeader("Authorization"));
    return switch (authorization) {
      case "Bearer tok-agent" -> McpIdentityResolver.transportContext(CallContext.of("agent-7"));
      case "Bearer tok-alice" -> McpIdentityResolver.transportContext(CallContext.of("alice"));
      default -> McpTransportContext.EMPTY;
    };
  }

  @BeforeAll
  static void start() throws Exception {
    queue = InMemoryApprovalQueue.builder(Clock.systemUTC()).build();
    PolicyEngine engine = PolicyEngine.builder(Policy.parse(POLICY)).approvals(queue).build();
    var transport = HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/mcp")
        .contextExtractor(InboxBrowserTest::identify).build();
    server = McpServer.sync(transport).serverInfo("inbox-test", "1")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
        .tools(McpToolGuard.of(engine).sync(List.of(new McpServerFeatures.SyncToolSpecification(
            McpSchema.Tool.builder("create_live_algorithm", Map.of("type", "object")).build(),
            (exchange, request) -> CallToolResult.builder().content(List.of(McpSchema.TextContent.builder(
                "deployment " + DEPLOYED.incrementAndGet() + " of project " + request.arguments().get("projectId"))
                .build())).build()),
            new McpServerFeatures.SyncToolSpecification(
                McpSchema.Tool.builder("liquidate_portfolio", Map.of("type", "object")).build(),
                (exchange, request) -> CallToolResult.builder().content(List.of(McpSchema.TextContent.builder(
                    "liquidated portfolio " + request.arguments().get("portfolio")).build())).build()))))
        .build();
    Path tokens = Files.createTempFile("approvers", ".tokens");
    Files.writeString(tokens, ApproverTokens.hash("alice-secret") + " alice\n" + ApproverTokens.hash("bob-secret") + " bob\n");
    ApprovalInbox inbox = ApprovalInbox.builder(queue).approvers(ApproverTokens.load(tokens)).build();
    Files.delete(tokens);
    tomcat = new LoopbackTomcat().serve("/mcp", transport).serve("/approvals/*", new ApprovalInboxServlet(inbox)).start();

    profile = Files.createTempDirectory("toolgate-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1024,900", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    for (McpSyncClient client : CLIENTS) {
      client.closeGracefully();
    }
    server.close();
    tomcat.close();
  }

  @BeforeEach
  void freshSession() {
    browser.get(tomcat.url() + "/approvals/");
    browser.manage().deleteAllCookies();
  }

  static McpSyncClient client(String token) {
    McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder(tomcat.url()).endpoint("/mcp")
            .addHttpRequestCustomizer((request, method, uri, body, context) -> request.header("Authorization", "Bearer " + token))
            .build())
        // longer than liquidate_portfolio's wait (2m): that call is answered when a person approves it
        .requestTimeout(Duration.ofMinutes(3)).initializationTimeout(Duration.ofSeconds(60)).build();
    client.initialize();
    CLIENTS.add(client);
    return client;
  }

  static CallToolResult deploy(McpSyncClient client, Map<String, Object> args) {
    return client.callTool(CallToolRequest.builder("create_live_algorithm").arguments(args).build());
  }

  static JsonNode decision(CallToolResult result) {
    return InboxFixture.JSON.valueToTree(result.meta().get(McpToolGuard.META_KEY));
  }

  static String heldId(CallToolResult held) {
    assertThat(held.isError()).isTrue();
    assertThat(decision(held).path("kind").asText()).isEqualTo("approval_required");
    return decision(held).path("approvalId").asText();
  }

  static WebDriverWait await() {
    return new WebDriverWait(browser, Duration.ofSeconds(60));
  }

  static void signIn(String token) {
    browser.get(tomcat.url() + "/approvals/");
    WebElement field = await().until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    field.sendKeys(token);
    browser.findElement(By.cssSelector("button[type=submit]")).click();
    await().until(ExpectedConditions.presenceOfElementLocated(By.id("pending-title")));
  }

  static WebElement card(String id) {
    return await().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("article[data-id='" + id + "']")));
  }

  static void answer(String id, String comment, String verdict) {
    WebElement card = card(id);
    if (comment != null) {
      card.findElement(By.tagName("textarea")).sendKeys(comment);
    }
    card.findElement(By.cssSelector("button[value='" + verdict + "']")).click();
    await().until(ExpectedConditions.presenceOfElementLocated(By.id("flash")));
  }

  @Test
  void aPersonApprovesTheHeldCallWithACommentAndTheIdenticalCallRuns() throws Exception {
    McpSyncClient agent = client("tok-agent");
    Map<String, Object> args = Map.of("projectId", 42, "brokerage", "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">",
        "apiToken", "sk-live-never-shown");
    String id = heldId(deploy(agent, args));

    signIn("alice-secret");
    WebElement card = card(id);
    String shown = card.findElement(By.cssSelector("pre.arguments")).getText();
    assertThat(shown).contains("[REDACTED]").contains("<script>window.pwned=1</script>").doesNotContain("sk-live-never-shown");
    assertThat(card.findElement(By.cssSelector("dd.principal")).getText()).isEqualTo("agent-7");
    assertThat(card.findElement(By.cssSelector("dd.reason")).getText()).isEqualTo("Going live needs a human");
    assertThat(card.findElement(By.cssSelector("code.rule")).getText()).contains("create_live_algorithm");
    assertThat(((JavascriptExecutor) browser).executeScript("return window.pwned === undefined")).isEqualTo(true);
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target", "approvals-inbox.png"), png);

    answer(id, "checked the project, go", "approve");
    assertThat(browser.findElement(By.id("flash")).getText()).contains("Approved create_live_algorithm");
    assertThat(browser.findElement(By.cssSelector("table")).getText()).contains("checked the project, go").contains("alice");

    CallToolResult ran = deploy(agent, args);
    assertThat(ran.isError()).isNotEqualTo(Boolean.TRUE);
    assertThat(((McpSchema.TextContent) ran.content().get(0)).text()).contains("of project 42");
  }

  @Test
  void aCallThatWaitsReturnsTheToolsResultOnceAPersonApprovesIt() throws Exception {
    McpSyncClient agent = client("tok-agent");
    CompletableFuture<String> held = new CompletableFuture<>();
    try (var subscription = queue.subscribe(new ApprovalQueue.Listener() {
      @Override
      public void pending(PendingApproval request) {
        if (request.request().call().tool().equals("liquidate_portfolio")) {
          held.complete(request.id());
        }
      }
    })) {
      CompletableFuture<CallToolResult> call = CompletableFuture.supplyAsync(() -> agent.callTool(
          CallToolRequest.builder("liquidate_portfolio").arguments(Map.of("portfolio", "p-9")).build()));
      String id = held.get(60, TimeUnit.SECONDS);
      assertThat(call).as("the call waits for a person").isNotDone();

      signIn("alice-secret");
      answer(id, "market is closed anyway", "approve");

      CallToolResult ran = call.get(60, TimeUnit.SECONDS);
      assertThat(ran.isError()).isNotEqualTo(Boolean.TRUE);
      assertThat(((McpSchema.TextContent) ran.content().get(0)).text()).isEqualTo("liquidated portfolio p-9");
    }
  }

  @Test
  void aRejectedCallStaysRefused() {
    McpSyncClient agent = client("tok-agent");
    Map<String, Object> args = Map.of("projectId", 7);
    String id = heldId(deploy(agent, args));
    signIn("bob-secret");
    int before = DEPLOYED.get();
    answer(id, "not on a Friday", "reject");
    assertThat(browser.findElement(By.id("flash")).getText()).contains("Rejected create_live_algorithm");
    CallToolResult refused = deploy(agent, args);
    assertThat(refused.isError()).isTrue();
    assertThat(refused.toString()).contains("not on a Friday");
    assertThat(DEPLOYED.get()).isEqualTo(before);
  }

  @Test
  void anApproverCannotApproveTheirOwnCall() {
    McpSyncClient alice = client("tok-alice");
    String id = heldId(deploy(alice, Map.of("projectId", 8)));
    signIn("alice-secret");
    answer(id, null, "approve");
    assertThat(browser.findElement(By.id("flash")).getText()).contains("You cannot approve your own call");
    assertThat(queue.pending(id)).isPresent();
    card(id); // still listed
  }

  @Test
  void aFormPostWithoutTheCsrfTokenIsRefused() {
    String id = heldId(deploy(client("tok-agent"), Map.of("projectId", 9)));
    signIn("bob-secret");
    Object status = ((JavascriptExecutor) browser).executeAsyncScript(
        "var done = arguments[arguments.length - 1];"
            + "fetch('/approvals/answer', {method: 'POST', credentials: 'same-origin',"
            + " headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
            + " body: 'verdict=approve&id=' + encodeURIComponent(arguments[0])}).then(r => done(r.status), e => done(String(e)));",
        id);
    assertThat(status).isEqualTo(403L);
    assertThat(queue.pending(id)).isPresent();
  }
}
