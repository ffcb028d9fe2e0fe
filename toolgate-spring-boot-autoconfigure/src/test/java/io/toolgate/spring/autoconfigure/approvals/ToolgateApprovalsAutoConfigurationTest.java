package io.toolgate.spring.autoconfigure.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.ApprovalRequest;
import io.toolgate.api.ApprovalService;
import io.toolgate.api.ApprovalStatus;
import io.toolgate.api.CallContext;
import io.toolgate.api.ToolCall;
import io.toolgate.approvals.ApprovalInbox;
import io.toolgate.approvals.ApprovalInboxServlet;
import io.toolgate.approvals.ApprovalWebhook;
import io.toolgate.approvals.ApproverTokens;
import io.toolgate.approvals.InboxRequest;
import io.toolgate.approvals.InboxResponse;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.spring.autoconfigure.ToolgateAutoConfiguration;
import io.toolgate.spring.autoconfigure.ToolgateConfigurationException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;

/** The conditions of the approvals inbox and webhook auto-configuration. */
class ToolgateApprovalsAutoConfigurationTest {
  static final String POLICY = "toolgate.policy=classpath:policies/approvals.yaml";
  static final String ON = "toolgate.approvals.inbox.enabled=true";
  static final String APPROVERS = "toolgate.approvals.inbox.authority=ROLE_APPROVER";
  static final String SECRET = "0123456789abcdef-webhook-secret";

  final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ToolgateAutoConfiguration.class,
          ToolgateApprovalInboxAutoConfiguration.class, ToolgateApprovalWebhookAutoConfiguration.class))
      .withPropertyValues(POLICY);

  @Test
  void theInboxIsOffUnlessAskedFor() {
    web.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ApprovalInbox.class)
        .doesNotHaveBean(ServletRegistrationBean.class).doesNotHaveBean(ApprovalWebhook.class)
        .doesNotHaveBean("toolgateApprovalInboxCsrfExemption"));
    web.withPropertyValues("toolgate.approvals.inbox.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(ApprovalInbox.class));
  }

  @Test
  void theInboxIsServedWhenEnabled() {
    web.withPropertyValues(ON, APPROVERS).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(ApprovalInbox.class).hasBean("toolgateApprovalInboxCsrfExemption");
      assertThat(context.getBean(ApprovalInbox.class).mountPath()).isEqualTo("/approvals");
      ServletRegistrationBean<?> registration = context.getBean(ServletRegistrationBean.class);
      assertThat(registration.getServlet()).isInstanceOf(ApprovalInboxServlet.class);
      assertThat(registration.getUrlMappings()).containsExactly("/approvals/*");
      assertThat(registration.getServletName()).isEqualTo(ToolgateApprovalInboxAutoConfiguration.SERVLET_NAME);
      assertThat(context.getBeanProvider(ResolvableType.forClassWithGenerics(Customizer.class, HttpSecurity.class))
          .getIfAvailable()).isNotNull();
    });
  }

  @Test
  void thePathAndTheContextPathPlaceTheInbox() {
    web.withPropertyValues(ON, APPROVERS, "toolgate.approvals.inbox.path=/ops/inbox", "server.servlet.context-path=/app")
        .run(context -> {
          assertThat(context.getBean(ApprovalInbox.class).mountPath()).isEqualTo("/app/ops/inbox");
          assertThat(context.getBean(ServletRegistrationBean.class).getUrlMappings()).containsExactly("/ops/inbox/*");
        });
  }

  @Test
  void aPathTheInboxCannotBeServedAtFailsStartup() {
    for (String path : new String[] {"/", "", "approvals", "/approvals/*", "/a b/", "/../x", "/approvals/.", "/x/../approvals/"}) {
      web.withPropertyValues(ON, APPROVERS, "toolgate.approvals.inbox.path=" + path).run(context -> {
        assertThat(context).as(path).hasFailed();
        assertThat(context.getStartupFailure()).as(path).rootCause()
            .isInstanceOf(ToolgateConfigurationException.class).hasMessageContaining("toolgate.approvals.inbox.path");
      });
    }
  }

  @Test
  void theInboxBacksOffToTheApplicationsServlet() {
    web.withPropertyValues(ON, APPROVERS).withUserConfiguration(OwnInbox.class).run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(ServletRegistrationBean.class);
          assertThat(context.getBean(ServletRegistrationBean.class).getUrlMappings()).containsExactly("/mine/*");
        });
  }

  @Test
  void withoutSpringSecurityTheTokenFileSignsApproversIn(@TempDir Path dir) throws Exception {
    Path tokens = dir.resolve("approvers.tokens");
    Files.writeString(tokens, ApproverTokens.hash("risk-token-0123456789") + " risk-officer\n");
    FilteredClassLoader noSecurity = new FilteredClassLoader("org.springframework.security");
    web.withClassLoader(noSecurity).withPropertyValues(ON, "toolgate.approvals.inbox.token-file=" + tokens).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(ApprovalInbox.class)
          .doesNotHaveBean("toolgateApprovalInboxCsrfExemption");
      ApprovalInbox inbox = context.getBean(ApprovalInbox.class);
      InboxResponse wrong = inbox.handle(form("/login", "token=guess"));
      assertThat(wrong.status()).isEqualTo(401);
      InboxResponse signedIn = inbox.handle(form("/login", "token=risk-token-0123456789"));
      assertThat(signedIn.status()).isEqualTo(303);
      assertThat(signedIn.headers().get("Set-Cookie")).startsWith("toolgate_approvals=").contains("HttpOnly");
    });
    web.withClassLoader(noSecurity).withPropertyValues(ON).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().isInstanceOf(ToolgateConfigurationException.class)
          .hasMessageContaining("no Spring Security and no toolgate.approvals.inbox.token-file");
    });
    web.withClassLoader(noSecurity).withPropertyValues(ON, "toolgate.approvals.inbox.token-file=" + tokens,
        "toolgate.approvals.inbox.authority=ROLE_APPROVER").run(context -> assertThat(context).hasFailed());
  }

  @Test
  void withSpringSecurityAnInboxWithoutAnAuthorityOrATokenFileFailsStartup(@TempDir Path dir) throws Exception {
    // MCP agents authenticate through the same Spring Security: without an authority any of them could approve.
    for (String authority : new String[] {null, "", "  "}) {
      var inbox = authority == null ? web.withPropertyValues(ON)
          : web.withPropertyValues(ON, "toolgate.approvals.inbox.authority=" + authority);
      inbox.run(context -> {
        assertThat(context).as("[%s]", authority).hasFailed();
        assertThat(context.getStartupFailure()).as("[%s]", authority).rootCause()
            .isInstanceOfSatisfying(ToolgateConfigurationException.class, failure -> {
              assertThat(failure.description()).contains("toolgate.approvals.inbox.authority is not set");
              assertThat(failure.action()).contains("Set toolgate.approvals.inbox.authority");
            });
      });
    }
    Path tokens = dir.resolve("approvers.tokens");
    Files.writeString(tokens, ApproverTokens.hash("risk-token-0123456789") + " risk-officer\n");
    web.withPropertyValues(ON, "toolgate.approvals.inbox.token-file=" + tokens)
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(ApprovalInbox.class));
  }

  @Test
  void withoutAnAuthorityNoSpringSecurityUserIsAnApprover() {
    var carol = UsernamePasswordAuthenticationToken.authenticated("carol", null,
        AuthorityUtils.createAuthorityList("ROLE_APPROVER", "ROLE_OPS"));
    SecurityContextHolder.getContext().setAuthentication(carol);
    try {
      assertThat(new SecurityApprover(null).apply(null)).isNull();
      assertThat(new SecurityApprover(" ").apply(null)).isNull();
      assertThat(new SecurityApprover("ROLE_APPROVER").apply(null)).isEqualTo("carol");
      assertThat(new SecurityApprover("ROLE_ADMIN").apply(null)).isNull();
    } finally {
      SecurityContextHolder.clearContext();
    }
  }

  @Test
  void aBadTokenFileFailsStartupNamingTheLine(@TempDir Path dir) throws Exception {
    Path tokens = dir.resolve("approvers.tokens");
    Files.writeString(tokens, "# approvers\nplain-token risk-officer\n");
    web.withPropertyValues(ON, "toolgate.approvals.inbox.token-file=" + tokens).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().isInstanceOf(ToolgateConfigurationException.class)
          .hasMessageContaining("line 2");
    });
  }

  @Test
  void anApprovalServiceThatIsNotAQueueFailsStartup() {
    ApprovalService notAQueue = request -> new ApprovalStatus.Pending("x");
    web.withPropertyValues(ON).withBean(ApprovalService.class, () -> notAQueue).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("not an ApprovalQueue");
    });
  }

  @Test
  void theInboxNeedsAServletWebApplication() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ToolgateAutoConfiguration.class, ToolgateApprovalInboxAutoConfiguration.class))
        .withPropertyValues(POLICY, ON)
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ApprovalInbox.class));
  }

  @Test
  void theWebhookIsMadeFromItsPropertiesAndClosedWithTheContext() {
    AtomicInteger subscribed = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    ApprovalQueue queue = counting(InMemoryApprovalQueue.builder(Clock.systemUTC()).build(), subscribed, closed);
    web.withBean(ApprovalService.class, () -> queue)
        .withPropertyValues("toolgate.approvals.webhook.url=http://127.0.0.1:9/hook",
            "toolgate.approvals.webhook.secret-env=TOOLGATE_TEST_WEBHOOK_SECRET", "TOOLGATE_TEST_WEBHOOK_SECRET=" + SECRET,
            "toolgate.approvals.webhook.public-url=https://app.example/approvals/",
            "toolgate.approvals.webhook.format=slack")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(ApprovalWebhook.class).doesNotHaveBean(ApprovalInbox.class);
          assertThat(subscribed).hasValue(1);
          ApprovalWebhook webhook = context.getBean(ApprovalWebhook.class);
          String id = ((ApprovalStatus.Pending) queue.check(new ApprovalRequest(ToolCall.of("refund", Map.of("n", 1)),
              new CallContext("agent-1", Set.of(), Map.of(), "s"), "/tools/refund", "money", Instant.now()))).approvalId();
          String body = webhook.body(queue.pending(id).orElseThrow());
          assertThat(body).startsWith("{\"text\":\"Approval needed: refund called by agent-1")
              .contains("https://app.example/approvals/#" + id);
          assertThat(closed).hasValue(0);
        });
    assertThat(closed).as("the subscription is closed with the context").hasValue(1);
  }

  @Test
  void aWebhookWithoutASecretOrALinkFailsStartup() {
    var hooked = web.withPropertyValues("toolgate.approvals.webhook.url=http://127.0.0.1:9/hook");
    hooked.withPropertyValues("toolgate.approvals.webhook.public-url=https://app.example/approvals").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("no secret of at least 16 bytes");
    });
    hooked.withPropertyValues("toolgate.approvals.webhook.public-url=https://app.example/approvals",
        "toolgate.approvals.webhook.secret=short").run(context -> assertThat(context).hasFailed());
    hooked.withPropertyValues("toolgate.approvals.webhook.public-url=https://app.example/approvals",
        "toolgate.approvals.webhook.secret-env=TOOLGATE_TEST_UNSET_SECRET").run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("TOOLGATE_TEST_UNSET_SECRET");
        });
    hooked.withPropertyValues("toolgate.approvals.webhook.secret=" + SECRET).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("public-url");
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnInbox {
    @Bean
    ServletRegistrationBean<ApprovalInboxServlet> myInbox() {
      return new ServletRegistrationBean<>(new ApprovalInboxServlet(
          ApprovalInbox.builder(InMemoryApprovalQueue.builder(Clock.systemUTC()).build()).build()), "/mine/*");
    }
  }

  private static InboxRequest form(String path, String body) {
    return new InboxRequest("POST", path, null, Map.of("content-type", "application/x-www-form-urlencoded"),
        body.getBytes(StandardCharsets.UTF_8), null);
  }

  /** {@code queue}, counting subscriptions made and closed. */
  private static ApprovalQueue counting(ApprovalQueue queue, AtomicInteger subscribed, AtomicInteger closed) {
    return (ApprovalQueue) Proxy.newProxyInstance(ApprovalQueue.class.getClassLoader(), new Class<?>[] {ApprovalQueue.class},
        (proxy, method, args) -> {
          try {
            Object result = method.invoke(queue, args);
            if (method.getName().equals("subscribe")) {
              subscribed.incrementAndGet();
              ApprovalQueue.Subscription real = (ApprovalQueue.Subscription) result;
              return (ApprovalQueue.Subscription) () -> {
                closed.incrementAndGet();
                real.close();
              };
            }
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
