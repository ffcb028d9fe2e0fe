package io.toolgate.spring.ai;

import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;

/** QuantConnect-like {@code @Tool} methods that count their runs, and the seed policy's engine. */
public class QuantTools {
  public final AtomicInteger runs = new AtomicInteger();

  /** The seed policy: create_compile 10 a minute per principal, delete_project denied (so hidden). */
  public static PolicyEngine seedEngine() {
    try (InputStream in = QuantTools.class.getResourceAsStream("policy.yaml")) {
      return PolicyEngine.of(Policy.load(in, "policy.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Tool(name = "create_compile", description = "Compiles a project")
  public String createCompile(@ToolParam(description = "the project") int projectId) {
    runs.incrementAndGet();
    return "compiled " + projectId;
  }

  @Tool(name = "read_compile", description = "Reads a compile")
  public String readCompile(@ToolParam(description = "the compile") String compileId) {
    runs.incrementAndGet();
    return "compile " + compileId + " ok";
  }

  @Tool(name = "delete_project", description = "Deletes a project")
  public String deleteProject(@ToolParam(description = "the project") int projectId) {
    runs.incrementAndGet();
    return "deleted " + projectId;
  }
}
