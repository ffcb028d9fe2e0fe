package io.toolgate.spring.autoconfigure.approvals;

import io.toolgate.api.ApprovalService;
import io.toolgate.approvals.ApprovalWebhook;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.spring.autoconfigure.ToolgateAutoConfiguration;
import io.toolgate.spring.autoconfigure.ToolgateConfigurationException;
import java.nio.charset.StandardCharsets;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * {@code toolgate.approvals.webhook.url} set, with {@code policy-approvals-web} present: an {@link
 * ApprovalWebhook} signed with {@code secret} (or the variable {@code secret-env} names), linking to
 * {@code public-url}, subscribed to the engine's {@link ApprovalQueue}. The subscription and then
 * the webhook are closed with the context.
 */
@AutoConfiguration(after = ToolgateAutoConfiguration.class)
@ConditionalOnClass(ApprovalWebhook.class)
@ConditionalOnProperty("toolgate.approvals.webhook.url")
@EnableConfigurationProperties(ApprovalWebhookProperties.class)
public class ToolgateApprovalWebhookAutoConfiguration {

  /** The webhook; backs off to an {@link ApprovalWebhook} bean of the application's. */
  @Bean
  @ConditionalOnMissingBean
  ApprovalWebhook toolgateApprovalWebhook(ApprovalWebhookProperties properties, Environment environment) {
    String secret = properties.getSecret();
    if (properties.getSecretEnv() != null && !properties.getSecretEnv().isBlank()) {
      secret = environment.getProperty(properties.getSecretEnv().strip());
      if (secret == null) {
        throw ToolgateConfigurationException.approvals(
            "toolgate.approvals.webhook.secret-env names " + properties.getSecretEnv() + ", which is not set.",
            "Set the environment variable " + properties.getSecretEnv() + " to the webhook's shared secret (at least 16 bytes).");
      }
    }
    byte[] key = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < 16) {
      throw ToolgateConfigurationException.approvals(
          "toolgate.approvals.webhook.url is set, but the webhook has no secret of at least 16 bytes to sign with.",
          "Set toolgate.approvals.webhook.secret-env to the name of an environment variable holding the secret "
              + "(or toolgate.approvals.webhook.secret); for example: openssl rand -hex 32.");
    }
    String publicUrl = properties.getPublicUrl();
    if (publicUrl == null || !(publicUrl.startsWith("https://") || publicUrl.startsWith("http://"))) {
      throw ToolgateConfigurationException.approvals(
          "toolgate.approvals.webhook.url is set, but toolgate.approvals.webhook.public-url=" + publicUrl
              + " is not the inbox's absolute http(s) URL for the link in each message.",
          "Set toolgate.approvals.webhook.public-url to where people open the inbox, such as https://app.example/approvals.");
    }
    if (properties.getMaxAttempts() < 1) {
      throw ToolgateConfigurationException.approvals(
          "toolgate.approvals.webhook.max-attempts=" + properties.getMaxAttempts() + " is less than 1.",
          "Set toolgate.approvals.webhook.max-attempts to 1 or more (5 by default).");
    }
    return ApprovalWebhook.builder(properties.getUrl(), key, publicUrl)
        .slack(properties.getFormat() == ApprovalWebhookProperties.Format.SLACK)
        .maxAttempts(properties.getMaxAttempts())
        .build();
  }

  /** The webhook's subscription to the engine's queue, closed (before the webhook) with the context. */
  @Bean
  ApprovalQueue.Subscription toolgateApprovalWebhookSubscription(
      ApprovalWebhook webhook, ObjectProvider<ApprovalService> approvals) {
    if (!(approvals.getIfUnique() instanceof ApprovalQueue queue)) {
      throw ToolgateConfigurationException.approvals(
          "toolgate.approvals.webhook.url is set, but the ApprovalService is not an ApprovalQueue a webhook can subscribe to.",
          "Remove your ApprovalService bean to use the in-memory queue, or make it an io.toolgate.engine.approval.ApprovalQueue.");
    }
    return webhook.subscribe(queue);
  }
}
