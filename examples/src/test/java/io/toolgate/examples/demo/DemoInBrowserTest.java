package io.toolgate.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code java -jar toolgate-demo.jar --approve-in-browser}, with the person played by Debian's
 * Chromium (through its chromedriver): the URL the demo prints is opened, the person signs in with
 * the printed token, sees the held {@code create_live_algorithm} call and approves it, and the
 * agent's waiting call returns the deployment.
 */
class DemoInBrowserTest {
  private static final Pattern INBOX =
      Pattern.compile("approvals inbox at (http://127\\.0\\.0\\.1:[0-9]+/approvals/) \\(sign in with (demo-approver-token)\\)");
  private static final Pattern HELD = Pattern.compile("held for approval ([0-9a-f-]{36}): open the inbox, sign in, and approve"
      + " create_live_algorithm \\(the agent's call waits up to 2 minutes\\)");

  private final BlockingQueue<String> printed = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();
  private ChromeDriver browser;
  private Path profile;

  @BeforeEach
  void startBrowser() throws IOException {
    profile = Files.createTempDirectory("toolgate-demo-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update", "--user-data-dir=" + profile);
    browser = new ChromeDriver(new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
  }

  @AfterEach
  void stopBrowser() {
    browser.quit();
  }

  @Test
  void aPersonApprovesTheWaitingCallInTheInboxThePrintedUrlLeadsTo() throws Exception {
    CompletableFuture<Integer> demo = CompletableFuture.supplyAsync(() -> {
      try {
        return InBrowser.run(lines(), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });

    Matcher inbox = INBOX.matcher(next(l -> INBOX.matcher(l).matches()));
    assertThat(inbox.matches()).isTrue();
    Matcher held = HELD.matcher(next(l -> HELD.matcher(l).matches()));
    assertThat(held.matches()).isTrue();
    String id = held.group(1);
    assertThat(demo).as("the agent's call waits for the person").isNotDone();

    WebDriverWait await = new WebDriverWait(browser, Duration.ofSeconds(60));
    browser.get(inbox.group(1));
    await.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(inbox.group(2));
    browser.findElement(By.cssSelector("button[type=submit]")).click();
    WebElement card;
    try {
      card = await.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("article[data-id='" + id + "']")));
    } catch (TimeoutException e) {
      throw new AssertionError("no card for " + id + " at " + browser.getCurrentUrl() + ":\n" + browser.getPageSource(), e);
    }
    assertThat(card.findElement(By.cssSelector("code.rule")).getText()).contains("create_live_algorithm");
    assertThat(card.findElement(By.cssSelector("dd.principal")).getText()).isEqualTo("agent-7");
    assertThat(card.findElement(By.cssSelector("pre.arguments")).getText()).contains("InteractiveBrokers");
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target", "demo-approve-in-browser.png"), browser.getScreenshotAs(OutputType.BYTES));
    card.findElement(By.tagName("textarea")).sendKeys("looks right");
    card.findElement(By.cssSelector("button[value='approve']")).click();
    assertThat(await.until(ExpectedConditions.presenceOfElementLocated(By.id("flash"))).getText())
        .contains("Approved create_live_algorithm");

    assertThat(demo.get(60, TimeUnit.SECONDS)).as(String.join("\n", seen)).isZero();
    printed.drainTo(seen);
    assertThat(seen).contains(
        "approved by risk-officer (\"looks right\"); the agent's waiting call returned: live deployment L-1 of project 7"
            + " on InteractiveBrokers",
        "create_live_algorithm ran 1 time(s)");
  }

  /** A print stream whose lines arrive in {@link #printed}. */
  private PrintStream lines() {
    OutputStream sink = new OutputStream() {
      private final ByteArrayOutputStream line = new ByteArrayOutputStream();

      @Override
      public synchronized void write(int b) {
        if (b == '\n') {
          printed.add(line.toString(StandardCharsets.UTF_8));
          line.reset();
        } else {
          line.write(b);
        }
      }
    };
    return new PrintStream(sink, true, StandardCharsets.UTF_8);
  }

  /** The next printed line that {@code matches}, waiting up to a minute for it. */
  private String next(Predicate<String> matches) throws InterruptedException {
    while (true) {
      String line = printed.poll(60, TimeUnit.SECONDS);
      assertThat(line).as("a line matching, after:\n" + String.join("\n", seen)).isNotNull();
      seen.add(line);
      if (matches.test(line)) {
        return line;
      }
    }
  }
}
