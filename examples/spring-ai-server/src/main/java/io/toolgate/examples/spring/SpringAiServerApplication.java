package io.toolgate.examples.spring;

import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The example app: a Spring AI MCP server (streamable HTTP at {@code /mcp}) serving
 * {@link QuantConnectTools}, behind {@link SecurityConfig}'s bearer tokens. Toolgate guards every
 * tool from {@code policy.yaml}; nothing here refers to it.
 */
// No generated user and password: callers authenticate with bearer tokens only.
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@EnableConfigurationProperties(BearerTokenProperties.class)
public class SpringAiServerApplication {

  /** Runs the server. */
  public static void main(String[] args) {
    SpringApplication.run(SpringAiServerApplication.class, args);
  }

  /** The {@code @Tool} methods, as the MCP server's tools. */
  @Bean
  ToolCallbackProvider quantConnectToolCallbacks(QuantConnectTools tools) {
    return MethodToolCallbackProvider.builder().toolObjects(tools).build();
  }

  @Bean
  QuantConnectTools quantConnectTools() {
    return new QuantConnectTools();
  }
}
