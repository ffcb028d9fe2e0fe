package io.toolgate.spring.autoconfigure.approvals;

import io.toolgate.api.ApprovalService;
import io.toolgate.approvals.ApprovalInbox;
import io.toolgate.approvals.ApprovalInboxServlet;
import io.toolgate.approvals.ApproverTokens;
import io.toolgate.approvals.Approvers;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.spring.autoconfigure.ToolgateAutoConfiguration;
import io.toolgate.spring.autoconfigure.ToolgateConfigurationException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.util.ClassUtils;

/**
 * The approvals inbox, when {@code toolgate.approvals.inbox.enabled=true} in a servlet web
 * application with {@code policy-approvals-web} present: an {@link ApprovalInbox} over the engine's
 * {@link ApprovalQueue}, served by an {@link ApprovalInboxServlet} at {@code
 * toolgate.approvals.inbox.path}. With Spring Security the approver is the authenticated user
 * holding {@code toolgate.approvals.inbox.authority} (startup fails when neither it nor a token file
 * is set), and the inbox's requests are exempt from Spring Security's CSRF filter because the inbox
 * checks its own synchronizer token on every form post; approver tokens come from {@code
 * toolgate.approvals.inbox.token-file}.
 */
@AutoConfiguration(after = ToolgateAutoConfiguration.class)
@ConditionalOnClass({ApprovalInbox.class, HttpServlet.class, ServletRegistrationBean.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty("toolgate.approvals.inbox.enabled")
@EnableConfigurationProperties(ApprovalInboxProperties.class)
public class ToolgateApprovalInboxAutoConfiguration {
  /** The name the inbox servlet is registered under (the CSRF exemption matches it). */
  public static final String SERVLET_NAME = "toolgateApprovalInbox";

  private static final String SECURITY = "org.springframework.security.core.context.SecurityContextHolder";
  private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+/?");

  /** The inbox over the engine's approval queue, mounted at the context path plus {@code path}. */
  @Bean
  @ConditionalOnMissingBean
  ApprovalInbox toolgateApprovalInbox(ObjectProvider<ApprovalService> approvals, ApprovalInboxProperties properties,
      Environment environment, ApplicationContext context) {
    if (!(approvals.getIfUnique() instanceof ApprovalQueue queue)) {
      throw ToolgateConfigurationException.notAnApprovalQueue("toolgate.approvals.inbox.enabled");
    }
    boolean security = ClassUtils.isPresent(SECURITY, context.getClassLoader());
    Approvers approvers = Approvers.none();
    if (properties.getTokenFile() != null) {
      try {
        approvers = ApproverTokens.load(properties.getTokenFile());
      } catch (IllegalArgumentException unreadable) {
        throw ToolgateConfigurationException.badTokenFile(unreadable.getMessage());
      }
    } else if (!security) {
      throw ToolgateConfigurationException.noApprovers();
    }
    if (!security && hasText(properties.getAuthority())) {
      throw ToolgateConfigurationException.authorityWithoutSecurity();
    }
    if (security && properties.getTokenFile() == null && !hasText(properties.getAuthority())) {
      // Agents sign in through the same Spring Security: without an authority, any of them could approve.
      throw ToolgateConfigurationException.noApproverAuthority();
    }
    return ApprovalInbox.builder(queue)
        .approvers(approvers)
        .mountPath(environment.getProperty("server.servlet.context-path", "") + mount(properties.getPath()))
        .secureCookie(properties.isSecureCookie())
        .sessionTtl(properties.getSessionTtl())
        .build();
  }

  /** The servlet at {@code path/*}; backs off to an {@link ApprovalInboxServlet} bean or registration of the application's. */
  @Bean
  @ConditionalOnMissingBean(value = ApprovalInboxServlet.class, parameterizedContainer = ServletRegistrationBean.class)
  ServletRegistrationBean<ApprovalInboxServlet> toolgateApprovalInboxServlet(
      ApprovalInbox inbox, ApprovalInboxProperties properties, ApplicationContext context) {
    Function<HttpServletRequest, String> approver = ClassUtils.isPresent(SECURITY, context.getClassLoader())
        ? new SecurityApprover(properties.getAuthority())
        : request -> request.getUserPrincipal() == null ? null : request.getUserPrincipal().getName();
    ServletRegistrationBean<ApprovalInboxServlet> registration =
        new ServletRegistrationBean<>(new ApprovalInboxServlet(inbox, approver), mount(properties.getPath()) + "/*");
    registration.setName(SERVLET_NAME);
    return registration;
  }

  /** {@code path} without its trailing slash, checked: {@code /approvals/} gives {@code /approvals}. */
  static String mount(String path) {
    if (path == null || !PATH.matcher(path).matches() || path.matches(".*/\\.{1,2}(/.*)?")) {
      throw ToolgateConfigurationException.badInboxPath(path);
    }
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static boolean hasText(String s) {
    return s != null && !s.isBlank();
  }

  /**
   * Spring Security present: the inbox's requests skip its CSRF filter (the inbox checks its own
   * token on every form post and takes API answers only as JSON or with a bearer token). A {@code
   * Customizer<HttpSecurity>} bean is applied to every {@code HttpSecurity} before the
   * application's own configuration, so {@code csrf(c -> c.disable())} there still wins.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HttpSecurity.class)
  static class CsrfExemption {
    @Bean
    Customizer<HttpSecurity> toolgateApprovalInboxCsrfExemption() {
      return http -> http.csrf(csrf -> csrf.ignoringRequestMatchers(request -> {
        HttpServletMapping mapping = request.getHttpServletMapping();
        return mapping != null && SERVLET_NAME.equals(mapping.getServletName());
      }));
    }
  }
}
