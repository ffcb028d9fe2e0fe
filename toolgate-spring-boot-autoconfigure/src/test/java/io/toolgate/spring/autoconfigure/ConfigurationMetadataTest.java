package io.toolgate.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metadata IDEs complete {@code toolgate.*} from, as the configuration processor generated it. */
class ConfigurationMetadataTest {
  @Test
  void everyPropertyIsDescribedWithItsTypeAndDefault() throws Exception {
    JsonNode metadata;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("generated metadata").isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    Map<String, JsonNode> properties = new HashMap<>();
    metadata.path("properties").forEach(p -> properties.put(p.path("name").asText(), p));
    assertThat(properties).containsKeys(
        "toolgate.policy", "toolgate.watch", "toolgate.fail-open", "toolgate.shadow-mode", "toolgate.store",
        "toolgate.redis.uri", "toolgate.audit.file", "toolgate.audit.slf4j", "toolgate.approvals.expire-after",
        "toolgate.approvals.maximum-entries", "toolgate.approvals.maximum-pending-per-principal",
        "toolgate.mcp.cancellation.enabled", "toolgate.mcp.session-ownership.enabled",
        "management.health.toolgate.enabled", "management.endpoint.toolgate.access");
    properties.forEach((name, p) -> {
      if (name.startsWith("toolgate.")) {
        assertThat(p.path("description").asText()).as(name).isNotBlank();
        assertThat(p.path("sourceType").asText()).as(name).startsWith("io.toolgate.spring.");
      }
    });
    assertThat(properties.get("toolgate.policy").path("type").asText()).isEqualTo("org.springframework.core.io.Resource");
    assertThat(properties.get("toolgate.store").path("defaultValue").asText()).isEqualTo("memory");
    assertThat(properties.get("toolgate.approvals.expire-after").path("defaultValue").asText()).isEqualTo("1h");
    assertThat(properties.get("toolgate.approvals.maximum-pending-per-principal").path("defaultValue").asInt()).isEqualTo(100);
    assertThat(properties).containsKeys("toolgate.approvals.inbox.enabled", "toolgate.approvals.inbox.path",
        "toolgate.approvals.inbox.authority", "toolgate.approvals.inbox.token-file", "toolgate.approvals.inbox.secure-cookie",
        "toolgate.approvals.inbox.session-ttl", "toolgate.approvals.webhook.url", "toolgate.approvals.webhook.secret",
        "toolgate.approvals.webhook.secret-env", "toolgate.approvals.webhook.format", "toolgate.approvals.webhook.public-url",
        "toolgate.approvals.webhook.max-attempts");
    assertThat(properties).containsKey("toolgate.actuator.approver-authority");
    assertThat(properties.get("toolgate.actuator.approver-authority").path("description").asText())
        .contains("toolgate.approvals.inbox.authority");
    assertThat(properties.get("toolgate.approvals.inbox.enabled").path("defaultValue").asBoolean(true))
        .as("the inbox is off unless asked for").isFalse();
    assertThat(properties.get("toolgate.approvals.inbox.path").path("defaultValue").asText()).isEqualTo("/approvals/");
    assertThat(properties.get("toolgate.approvals.webhook.format").path("defaultValue").asText()).isEqualTo("json");

    JsonNode storeHint = null;
    for (JsonNode hint : metadata.path("hints")) {
      if (hint.path("name").asText().equals("toolgate.store")) {
        storeHint = hint;
      }
    }
    assertThat(storeHint).as("toolgate.store hint").isNotNull();
    assertThat(storeHint.path("values").findValuesAsText("value")).containsExactly("memory", "redis");
  }
}
