package io.toolgate.scenarios;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A scenario file as written (DESIGN.md section 7, {@code scenario.schema.json}), bound by Jackson;
 * a key no record names is an error. Durations stay JSON nodes: a number of seconds or a string.
 */
record ScenarioFile(
    String name,
    String description,
    JsonNode policy,
    @JsonProperty("policy_file") String policyFile,
    String start,
    List<JsonNode> steps,
    @JsonProperty("expect_load_error") List<String> expectLoadError,
    @JsonProperty("step_timeout") JsonNode stepTimeout) {

  /** A step that calls a tool and checks the decision. */
  record CallStep(
      String call,
      String identity,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> roles,
      String session,
      Map<String, Object> args,
      Integer repeat,
      String expect,
      @JsonProperty("retry_after") JsonNode retryAfter,
      @JsonProperty("reason_contains") String reasonContains,
      @JsonProperty("tool_fails") Boolean toolFails) {}

  /** {@code advance: 30s}: moves the test clock. */
  record AdvanceStep(JsonNode advance) {}

  /** {@code approve: last}. */
  record ApproveStep(String approve) {}

  /** {@code reject: last}. */
  record RejectStep(String reject) {}
}
