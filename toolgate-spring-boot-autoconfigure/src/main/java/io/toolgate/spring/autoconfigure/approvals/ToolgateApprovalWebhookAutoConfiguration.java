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
        throw ToolgateConfigurationException.webhookSecret(properties.getSecretEnv());
      }
    }
    byte[] key = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < 16) {
      throw ToolgateConfigurationException.webhookSecret(null);
    }
    String publicUrl = properties.getPublicUrl();
    if (publicUrl == null || !(publicUrl.startsWith("https://") || publicUrl.startsWith("http://"))) {
      throw ToolgateConfigurationException.webhookPublicUrl(publicUrl);
    }
    if (properties.getMaxAttempts() < 1) {
      throw ToolgateConfigurationException.webhookMaxAttempts(properties.getMaxAttempts());
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
      throw ToolgateConfigurationException.notAnApprovalQueue("toolgate.approvals.webhook.url");
    }
    return webhook.subscribe(queue);
  }
}
