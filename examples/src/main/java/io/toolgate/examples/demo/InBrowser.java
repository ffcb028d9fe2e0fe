package io.toolgate.examples.demo;

import io.modelcontextprotocol.client.McpSyncClient;
import io.toolgate.api.AgentText;
import io.toolgate.engine.approval.ApprovalAnswer;
import io.toolgate.examples.mcpserver.QuantConnectServer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The person in the loop: {@code java -jar toolgate-demo.jar --approve-in-browser [--port N]}
 * starts the example server (a free 127.0.0.1 port unless {@code --port}), prints its approvals
 * inbox's URL, and has the agent call {@code create_live_algorithm}. The call waits (the policy's
 * {@code wait: 2m}) until a person signs in to the inbox with {@code demo-approver-token} and
 * approves it; then the agent's same call returns the deployment, which is printed. If the wait
 * ends first, or the person rejects the call, it says so and the exit status is 1.
 */
final class InBrowser {
  private InBrowser() {}

  /** Runs the example on {@code port} (0: a free one), printing to {@code out}; 0 once the call was approved and ran. */
  static int run(PrintStream out, int port) throws IOException {
    QuantConnectServer.Options options = new QuantConnectServer.Options().port(port).onPending(pending -> out.println(
        "held for approval " + pending.id() + ": open the inbox, sign in, and approve "
            + pending.request().call().tool() + " (the agent's call waits up to 2 minutes)"));
    try (QuantConnectServer server = QuantConnectServer.start(options)) {
      out.println("Toolgate demo, the person in the loop: the agent's create_live_algorithm call waits for you");
      out.println("approvals inbox at " + server.inboxUrl() + " (sign in with " + ScriptedApprover.APPROVER_TOKEN + ")");
      Map<String, Object> live = Demo.ordered("projectId", 7, "compileId", "c-1", "brokerage", "InteractiveBrokers");
      McpSyncClient agent = Demo.agent(server);
      Demo.Outcome outcome;
      try {
        agent.initialize();
        out.println("agent-7 calls create_live_algorithm " + Demo.JSON.writeValueAsString(live));
        outcome = Demo.call(agent, "create_live_algorithm", live);
      } finally {
        agent.closeGracefully();
      }
      List<ApprovalAnswer> answers = server.approvals().history(1);
      String by = answers.isEmpty() ? "nobody" : answers.get(0).approver()
          + (answers.get(0).comment() == null ? "" : " (\"" + AgentText.excerpt(answers.get(0).comment()) + "\")");
      switch (outcome.decision()) {
        case "ALLOW" -> {
          out.println("approved by " + by + "; the agent's waiting call returned: " + outcome.detail());
          out.println("create_live_algorithm ran " + server.tools().runs("create_live_algorithm") + " time(s)");
          return 0;
        }
        case "APPROVAL_REQUIRED" -> out.println("the wait ended before anyone answered: the agent got APPROVAL_REQUIRED ("
            + outcome.detail() + "); the request stays pending in the inbox until it expires");
        case "DENY" -> out.println("rejected by " + by + ": the agent read: " + outcome.detail());
        default -> out.println("the call ended " + outcome.decision() + ": " + outcome.detail());
      }
      return 1;
    }
  }
}
