package io.toolgate.spring.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.api.PolicyViolationException;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.spring.ai.QuantTools;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * ChatClient tool calling with a scripted chat model (no network, no LLM): the model asks for
 * tool calls and runs them through the application's ToolCallingManager bean, as Spring AI's
 * chat models do; the starter guards that bean.
 */
class ChatClientToolCallingTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ToolgateChatAutoConfiguration.class))
          .withBean(PolicyEngine.class, QuantTools::seedEngine)
          .withBean(ToolCallingManager.class, () -> ToolCallingManager.builder().build());

  @AfterEach
  void clearSecurity() {
    SecurityContextHolder.clearContext();
  }

  /**
   * A model that asks for the scripted tool calls once, then answers with the tool responses it
   * was sent, so the test reads exactly what the model saw.
   */
  static final class ScriptedModel implements ChatModel {
    private final ToolCallingManager tools;
    private final List<AssistantMessage.ToolCall> script;
    final List<String> seen = new ArrayList<>();

    ScriptedModel(ToolCallingManager tools, AssistantMessage.ToolCall... script) {
      this.tools = tools;
      this.script = List.of(script);
    }

    @Override
    public ChatResponse call(Prompt prompt) {
      Message last = prompt.getInstructions().get(prompt.getInstructions().size() - 1);
      if (last instanceof ToolResponseMessage responses) {
        responses.getResponses().forEach(r -> seen.add(r.name() + ": " + r.responseData()));
        String all = responses.getResponses().stream().map(r -> r.responseData()).collect(Collectors.joining(" | "));
        return new ChatResponse(List.of(new Generation(AssistantMessage.builder().content(all).build())));
      }
      ChatResponse asks =
          new ChatResponse(List.of(new Generation(AssistantMessage.builder().content("").toolCalls(script).build())));
      ToolExecutionResult result = tools.executeToolCalls(prompt, asks);
      return call(new Prompt(result.conversationHistory(), prompt.getOptions()));
    }

    @Override
    public ChatOptions getOptions() {
      return ToolCallingChatOptions.builder().build();
    }
  }

  private static AssistantMessage.ToolCall call(String id, String name, String arguments) {
    return new AssistantMessage.ToolCall(id, "function", name, arguments);
  }

  private static void signIn(String user) {
    SecurityContextHolder.getContext()
        .setAuthentication(UsernamePasswordAuthenticationToken.authenticated(user, null, List.of()));
  }

  @Test
  void refusedCallsTextReachesTheModelAndAnAllowedOneRuns() {
    runner.run(
        context -> {
          assertThat(context.getBean(ToolCallingManager.class)).isInstanceOf(GuardedToolCallingManager.class);
          signIn("alice");
          QuantTools quant = new QuantTools();
          ScriptedModel model =
              new ScriptedModel(
                  context.getBean(ToolCallingManager.class),
                  call("1", "create_compile", "{\"projectId\": 7}"),
                  call("2", "delete_project", "{\"projectId\": 7}"));
          String answer = ChatClient.create(model).prompt("compile then delete").tools(quant).call().content();

          assertThat(quant.runs.get()).isEqualTo(1);
          assertThat(model.seen).hasSize(2);
          assertThat(model.seen.get(0)).contains("compiled 7");
          assertThat(model.seen.get(1)).startsWith("delete_project: ").contains("not permitted for agents");
          assertThat(answer).contains("not permitted for agents");
        });
  }

  @Test
  void limitsAreCountedPerSecurityPrincipalAndAnonymousIsRefused() {
    runner.run(
        context -> {
          ToolCallingManager manager = context.getBean(ToolCallingManager.class);
          QuantTools quant = new QuantTools();
          AssistantMessage.ToolCall[] eleven = new AssistantMessage.ToolCall[11];
          for (int i = 0; i < eleven.length; i++) {
            eleven[i] = call("c" + i, "create_compile", "{\"projectId\": 1}");
          }
          signIn("bob");
          ScriptedModel bob = new ScriptedModel(manager, eleven);
          ChatClient.create(bob).prompt("go").tools(quant).call().content();
          assertThat(quant.runs.get()).isEqualTo(10);
          assertThat(bob.seen.get(10)).contains("rate limit");

          SecurityContextHolder.clearContext();
          ScriptedModel nobody = new ScriptedModel(manager, call("a", "create_compile", "{\"projectId\": 1}"));
          ChatClient.create(nobody).prompt("go").tools(quant).call().content();
          assertThat(quant.runs.get()).isEqualTo(10);
          assertThat(nobody.seen.get(0)).startsWith("create_compile: Policy denied");
        });
  }

  @Test
  void hostileArgumentsAreDecidedNotRun() {
    runner.run(
        context -> {
          signIn("alice");
          QuantTools quant = new QuantTools();
          String deep = "[".repeat(5000) + "]".repeat(5000);
          ScriptedModel model =
              new ScriptedModel(
                  context.getBean(ToolCallingManager.class),
                  call("1", "create_backtest", deep),
                  call("2", "create_backtest", "{\"projectId\": \"1; DROP\"}"),
                  call("3", "create_backtest", "not json"));
          // create_backtest is not among the tools: the policy still decides each call first.
          ChatClient.create(model).prompt("go").tools(quant, new Backtests()).call().content();
          assertThat(model.seen).hasSize(3).allSatisfy(text -> assertThat(text).contains("Policy denied"));
          assertThat(Backtests.runs).isZero();
        });
  }

  /** A tool whose arguments the seed policy checks against a schema. */
  static final class Backtests {
    static int runs;

    @org.springframework.ai.tool.annotation.Tool(name = "create_backtest", description = "Runs a backtest")
    public String createBacktest(int projectId, String compileId, String backtestName) {
      runs++;
      return "backtest";
    }
  }

  @Test
  void onRefusalThrowRaisesThePolicyViolation() {
    runner
        .withPropertyValues("toolgate.chat.on-refusal=throw")
        .run(
            context -> {
              signIn("alice");
              ScriptedModel model =
                  new ScriptedModel(context.getBean(ToolCallingManager.class), call("1", "delete_project", "{\"projectId\": 7}"));
              QuantTools quant = new QuantTools();
              assertThatThrownBy(() -> ChatClient.create(model).prompt("delete").tools(quant).call().content())
                  .isInstanceOf(PolicyViolationException.class)
                  .hasMessageContaining("not permitted");
              assertThat(quant.runs.get()).isZero();
            });
  }

  @Test
  void userIdentityResolverWins() {
    runner
        .withBean(ChatIdentityResolver.class, () -> toolContext -> io.toolgate.api.CallContext.of("service-account"))
        .run(
            context -> {
              QuantTools quant = new QuantTools();
              ScriptedModel model =
                  new ScriptedModel(context.getBean(ToolCallingManager.class), call("1", "create_compile", "{\"projectId\": 2}"));
              ChatClient.create(model).prompt("compile").tools(quant).call().content();
              assertThat(quant.runs.get()).isEqualTo(1);
            });
  }
}
