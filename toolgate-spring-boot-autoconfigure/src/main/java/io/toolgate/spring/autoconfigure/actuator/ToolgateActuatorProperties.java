package io.toolgate.spring.autoconfigure.actuator;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code toolgate.actuator.*}: who answers approvals through the {@code toolgate} actuator endpoint. */
@ConfigurationProperties(prefix = "toolgate.actuator")
public class ToolgateActuatorProperties {
  /**
   * The authority a Spring Security user must hold to see pending approvals and approve or reject
   * them through the toolgate endpoint, such as ROLE_APPROVER or SCOPE_approvals. Defaults to
   * toolgate.approvals.inbox.authority. Required with Spring Security when the endpoint is exposed
   * (startup fails otherwise), unless the application defines an ActuatorApprover bean.
   */
  private String approverAuthority;

  public String getApproverAuthority() {
    return approverAuthority;
  }

  public void setApproverAuthority(String approverAuthority) {
    this.approverAuthority = approverAuthority;
  }
}
