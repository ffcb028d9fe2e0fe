package io.toolgate.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** A real application that fails to start on a bad policy reports it through the failure analyzer. */
@ExtendWith(OutputCaptureExtension.class)
class FailedStartupTest {
  @Test
  void aBadPolicyIsReportedAsAFailureAnalysisNotAStackTrace(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .properties("toolgate.policy=classpath:policies/bad.yaml", "spring.main.banner-mode=off")
            .run())
        .hasRootCauseInstanceOf(io.toolgate.engine.PolicyLoadException.class);
    assertThat(output.getOut() + output.getErr())
        .contains("APPLICATION FAILED TO START")
        .contains("The Toolgate policy toolgate.policy=class path resource [policies/bad.yaml] has 2 problems:")
        .contains("/default (line 2, col 10)", "/tools/create_compile/limits/0/window (line 7, col 17)")
        .contains("Action:", "toolgate.jar validate");
  }

  @Test
  void anInboxAnyAuthenticatedUserCouldAnswerIsReportedAsAFailureAnalysis(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.SERVLET)
            .properties("toolgate.policy=classpath:policies/approvals.yaml", "toolgate.approvals.inbox.enabled=true",
                "server.port=0", "spring.main.banner-mode=off")
            .run())
        .hasRootCauseInstanceOf(ToolgateConfigurationException.class);
    assertThat(output.getOut() + output.getErr())
        .contains("APPLICATION FAILED TO START")
        .contains("toolgate.approvals.inbox.authority is not set")
        .contains("Action:", "Set toolgate.approvals.inbox.authority to the authority only approvers hold");
  }

  @Test
  void anExposedEndpointAnyAuthenticatedUserCouldAnswerIsReportedAsAFailureAnalysis(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.SERVLET)
            .properties("toolgate.policy=classpath:policies/approvals.yaml",
                "management.endpoints.web.exposure.include=toolgate", "server.port=0", "spring.main.banner-mode=off")
            .run())
        .hasRootCauseInstanceOf(ToolgateConfigurationException.class);
    assertThat(output.getOut() + output.getErr())
        .contains("APPLICATION FAILED TO START")
        .contains("neither toolgate.actuator.approver-authority nor toolgate.approvals.inbox.authority is set")
        .contains("Action:", "Set toolgate.actuator.approver-authority to the authority only approvers hold");
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}
}
