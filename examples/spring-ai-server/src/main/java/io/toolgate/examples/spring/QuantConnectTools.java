package io.toolgate.examples.spring;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;

/**
 * Tools of the QuantConnect kind with fake, in-memory results: plain Spring AI {@code @Tool}
 * methods, with no policy checks of their own.
 */
public class QuantConnectTools {
  private final Map<Integer, String> projects = new ConcurrentHashMap<>(Map.of(1, "Momentum", 7, "Mean reversion"));
  private final Map<String, Integer> compiles = new ConcurrentHashMap<>();
  private final AtomicInteger compileIds = new AtomicInteger();
  private final AtomicInteger deployments = new AtomicInteger();

  @Tool(name = "read_project", description = "Reads a project: its name")
  public String readProject(@ToolParam(description = "the project id") int projectId) {
    String name = projects.get(projectId);
    return name == null ? "no project " + projectId : "project " + projectId + ": " + name;
  }

  @Tool(name = "create_compile", description = "Compiles a project; returns the compile id")
  public String createCompile(@ToolParam(description = "the project id") int projectId) {
    if (!projects.containsKey(projectId)) {
      return "no project " + projectId;
    }
    String compileId = "c-" + compileIds.incrementAndGet();
    compiles.put(compileId, projectId);
    return "compiled project " + projectId + ": " + compileId + " BuildSuccess";
  }

  @Tool(name = "read_compile", description = "Reads a compile's state")
  public String readCompile(@ToolParam(description = "the compile id") String compileId) {
    Integer project = compiles.get(compileId);
    return project == null ? "no compile " + compileId : compileId + " of project " + project + ": BuildSuccess";
  }

  @Tool(name = "create_live_algorithm", description = "Deploys a compiled project to live trading")
  public String createLiveAlgorithm(
      @ToolParam(description = "the project id") int projectId,
      @ToolParam(description = "the compile id") String compileId) {
    if (!Integer.valueOf(projectId).equals(compiles.get(compileId))) {
      return "no compile " + compileId + " of project " + projectId;
    }
    deployments.incrementAndGet();
    return "project " + projectId + " is live from " + compileId;
  }

  @Tool(name = "delete_project", description = "Deletes a project")
  public String deleteProject(@ToolParam(description = "the project id") int projectId) {
    return projects.remove(projectId) == null ? "no project " + projectId : "deleted project " + projectId;
  }

  /** How many compiles the tools have made: the calls that ran. */
  public int compileCount() {
    return compileIds.get();
  }

  /** How many projects went live. */
  public int deploymentCount() {
    return deployments.get();
  }

  /** Whether the project exists. */
  public boolean hasProject(int projectId) {
    return projects.containsKey(projectId);
  }
}
