package io.toolgate.engine.internal.format;

import io.toolgate.api.AgentText;
import java.util.Optional;
import org.everit.json.schema.FormatValidator;

/**
 * A format check that refuses a value longer than {@link #maxChars()} without reading it, then
 * asks {@code check} (which must be linear in the value). Its failure messages quote the value as
 * Everit's do ({@code [value] is not a valid ...}); a value over the cap is named as such first and
 * quoted as an excerpt.
 */
public final class BoundedFormat implements FormatValidator {
  private final String name;
  private final int maxChars;
  private final FormatValidator check;

  BoundedFormat(String name, int maxChars, FormatValidator check) {
    this.name = name;
    this.maxChars = maxChars;
    this.check = check;
  }

  /** The longest value this format accepts, in UTF-16 chars. */
  public int maxChars() {
    return maxChars;
  }

  @Override
  public String formatName() {
    return name;
  }

  @Override
  public Optional<String> validate(String subject) {
    if (subject.length() > maxChars) {
      return Optional.of("longer than " + maxChars + " characters, not a valid " + name + ": ["
          + AgentText.excerpt(subject, 40) + "]");
    }
    return check.validate(subject);
  }
}
