package io.toolgate.spring.autoconfigure.approvals;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code toolgate.approvals.webhook.*}: a signed POST to {@code url} for each new pending approval
 * request. Made only when {@code url} is set.
 */
@ConfigurationProperties(prefix = "toolgate.approvals.webhook")
public class ApprovalWebhookProperties {

  /** The body of each POST. */
  public enum Format {
    /** The request as the inbox's API shows it, with a link to the inbox item. */
    JSON,
    /** A Slack-compatible {"text": "..."} body. */
    SLACK
  }

  /** Where to POST each new pending approval request; the webhook is made only when it is set. */
  private URI url;

  /**
   * The shared secret the X-Toolgate-Signature HMAC is made with (at least 16 bytes). Prefer
   * secret-env, so the secret stays out of configuration files.
   */
  private String secret;

  /** The name of an environment variable (or any property) that holds the secret, instead of secret. */
  private String secretEnv;

  /** The body: json (the request and a link to it) or slack (a Slack-compatible text). */
  private Format format = Format.JSON;

  /**
   * The inbox's public URL, such as https://app.example/approvals, for the link in each message
   * (required with url).
   */
  private String publicUrl;

  /** How many delivery attempts in all; 5xx answers and connection failures are retried with backoff. */
  private int maxAttempts = 5;

  public URI getUrl() {
    return url;
  }

  public void setUrl(URI url) {
    this.url = url;
  }

  public String getSecret() {
    return secret;
  }

  public void setSecret(String secret) {
    this.secret = secret;
  }

  public String getSecretEnv() {
    return secretEnv;
  }

  public void setSecretEnv(String secretEnv) {
    this.secretEnv = secretEnv;
  }

  public Format getFormat() {
    return format;
  }

  public void setFormat(Format format) {
    this.format = format;
  }

  public String getPublicUrl() {
    return publicUrl;
  }

  public void setPublicUrl(String publicUrl) {
    this.publicUrl = publicUrl;
  }

  public int getMaxAttempts() {
    return maxAttempts;
  }

  public void setMaxAttempts(int maxAttempts) {
    this.maxAttempts = maxAttempts;
  }
}
