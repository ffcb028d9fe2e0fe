package io.toolgate.spring.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The starter's promise on a WebFlux classpath too: Spring AI's WebFlux transport 2.0.0 beside
 * Spring AI 2.0.1 brings no second MCP Java SDK, no Jackson 2 binding, and no Spring MVC.
 */
class WebFluxSdkClasspathTest {
  private static final Pattern JAR =
      Pattern.compile("(mcp-core|mcp-json-jackson2|mcp-json-jackson3|mcp-spring-webflux|mcp-spring-webmvc|spring-webmvc)-(\\d[^/]*)\\.jar");

  private static List<String[]> jars() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(path -> JAR.matcher(new File(path).getName()))
        .filter(Matcher::matches)
        .map(m -> new String[] {m.group(1), m.group(2)})
        .toList();
  }

  private static List<String> versions(List<String[]> jars, String name) {
    return jars.stream().filter(j -> j[0].equals(name)).map(j -> j[1]).toList();
  }

  @Test
  void oneSdkVersionOneBindingAndNoSpringMvc() {
    List<String[]> jars = jars();
    List<String> cores = versions(jars, "mcp-core");
    assertThat(cores).as("mcp-core jars").hasSize(1);
    assertThat(versions(jars, "mcp-json-jackson3")).as("Spring AI's mcp-json-jackson3").containsExactly(cores.get(0));
    assertThat(versions(jars, "mcp-spring-webflux")).as("Spring AI's WebFlux transport").hasSize(1);
    assertThat(jars).as("policy-mcp's Jackson 2 binding, Spring MVC")
        .noneMatch(j -> j[0].equals("mcp-json-jackson2") || j[0].equals("mcp-spring-webmvc") || j[0].equals("spring-webmvc"));
  }
}
