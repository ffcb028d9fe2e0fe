package io.toolgate.spring.webflux;

import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;

/** QuantConnect-like {@code @Tool} methods that count their runs. */
public class QuantTools {
  public final AtomicInteger runs = new AtomicInteger();

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
