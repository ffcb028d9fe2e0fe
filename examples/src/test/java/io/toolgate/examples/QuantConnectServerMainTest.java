package io.toolgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.examples.mcpserver.QuantConnectServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example server's command line, run as a real process: bad input is one line and status 2. */
class QuantConnectServerMainTest {
  @TempDir static Path dir;

  /** The exit status and standard error of a server process that ends on its own. */
  record Ended(int status, List<String> stderr) {}

  /** A server process; its standard error goes to {@code stderr}. */
  static Process launch(Path stderr, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(QuantConnectServer.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
  }

  static Ended run(String... args) throws Exception {
    Path stderr = Files.createTempFile(dir, "stderr", ".txt");
    Process process = launch(stderr, args);
    boolean ended = process.waitFor(60, TimeUnit.SECONDS); // hang guard only
    if (!ended) {
      process.destroyForcibly();
    }
    assertThat(ended).as("the process ended").isTrue();
    return new Ended(process.exitValue(), Files.readAllLines(stderr, StandardCharsets.UTF_8));
  }

  static void assertOneLineError(Ended ended, String expected) {
    assertThat(ended.status()).as(String.join("\n", ended.stderr())).isEqualTo(2);
    assertThat(ended.stderr()).hasSize(1);
    assertThat(ended.stderr().get(0)).startsWith("QuantConnectServer: ").contains(expected);
    assertThat(String.join("\n", ended.stderr())).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void aBadPortIsOneLineAndStatus2() throws Exception {
    assertOneLineError(run("--port", "eighty"), "--port must be a number from 0 to 65535, was eighty");
    assertOneLineError(run("--port", "70000"), "--port must be a number from 0 to 65535, was 70000");
  }

  @Test
  void aMissingOrUnreadableTokenFileIsOneLineAndStatus2() throws Exception {
    assertOneLineError(run("--tokens", dir.resolve("absent.txt").toString()), "no such file");
    Path directory = Files.createDirectories(dir.resolve("a-directory"));
    assertOneLineError(run("--tokens", directory.toString()), "cannot read token file");
    Path malformed = Files.writeString(dir.resolve("malformed.txt"), "lonely-token\n");
    assertOneLineError(run("--tokens", malformed.toString()), "malformed.txt:1: expected <token> <principal>");
  }

  @Test
  void anUnknownFlagOrAMissingValueIsOneLineAndStatus2() throws Exception {
    assertOneLineError(run("--prot", "8080"), "unknown option --prot; usage: QuantConnectServer");
    assertOneLineError(run("--port"), "--port needs a value");
  }

  @Test
  void theShippedDemoTokensAreAnnouncedLoudlyOnStandardError() throws Exception {
    Path stderr = Files.createTempFile(dir, "stderr", ".txt");
    Process process = launch(stderr, "--port", "0");
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      // the warning is printed before the server starts, and so before this line
      String started = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
      assertThat(started).startsWith("QuantConnect-like MCP server guarded by Toolgate on http://127.0.0.1:");
    } finally {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(Files.readAllLines(stderr, StandardCharsets.UTF_8))
        .first().asString().startsWith("WARNING: no --tokens file given: accepting the DEMO tokens");
  }

  @Test
  void aTokenFileGivenOnTheCommandLineStartsQuietly() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens.txt"), "a-real-secret ci-bot ci\n");
    Path stderr = Files.createTempFile(dir, "stderr", ".txt");
    Process process = launch(stderr, "--port", "0", "--tokens", tokens.toString());
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String started = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
      assertThat(started).startsWith("QuantConnect-like MCP server guarded by Toolgate on");
    } finally {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(Files.readAllLines(stderr, StandardCharsets.UTF_8)).noneMatch(line -> line.contains("WARNING"));
  }

  @Test
  void webhookFlagsWithoutTheirSecretAreOneLineAndStatus2() throws Exception {
    assertOneLineError(run("--approval-webhook", "http://127.0.0.1:9/hook"), "--approval-webhook needs --approval-webhook-secret-env NAME");
    assertOneLineError(run("--approval-webhook", "file:///etc/passwd", "--approval-webhook-secret-env", "X"),
        "--approval-webhook must be an http:// or https:// URL, was file:///etc/passwd");
  }

  @Test
  void aWebhookIsAnnouncedWithoutItsPathOrSecret() throws Exception {
    Path stderr = Files.createTempFile(dir, "stderr", ".txt");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), QuantConnectServer.class.getName(), "--port", "0",
        "--approval-webhook", "https://hooks.example.com/services/T000/B000/secret-path",
        "--approval-webhook-secret-env", "HOOK_SECRET", "--approval-webhook-format", "slack"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
    builder.environment().put("HOOK_SECRET", "a-secret-of-at-least-16-bytes");
    Process process = builder.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      while (lines.isEmpty() || !lines.get(lines.size() - 1).startsWith("held calls are posted")) {
        String line = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
        assertThat(line).as(String.join("\n", lines)).isNotNull();
        lines.add(line);
      }
    } finally {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(lines).anyMatch(l -> l.matches("approvals inbox at http://127\\.0\\.0\\.1:[0-9]+/approvals/ \\(sign in with demo-approver-token\\)"));
    assertThat(lines).contains("held calls are posted to https://hooks.example.com/... (signed with X-Toolgate-Signature)");
    assertThat(String.join("\n", lines)).doesNotContain("secret-path").doesNotContain("a-secret-of");
  }

  private static String readLine(BufferedReader in) {
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
