package io.toolgate.engine.internal.format;

import java.util.List;
import org.everit.json.schema.FormatValidator;
import org.everit.json.schema.internal.DateFormatValidator;
import org.everit.json.schema.internal.DateTimeFormatValidator;
import org.everit.json.schema.internal.JsonPointerFormatValidator;
import org.everit.json.schema.internal.RelativeJsonPointerFormatValidator;
import org.everit.json.schema.internal.TimeFormatValidator;
import org.everit.json.schema.internal.URIFormatValidator;
import org.everit.json.schema.internal.URIReferenceFormatValidator;
import org.everit.json.schema.internal.URITemplateFormatValidator;
import org.everit.json.schema.loader.SchemaLoader;

/**
 * Every format Everit checks for a draft-07 schema, each replaced by a {@link BoundedFormat}: a
 * length cap, then a linear check. Email, hostname, IPv4 and regex are checked here (Everit's run
 * backtracking regexes on the whole value, or compile it with {@code java.util.regex}); the others
 * keep Everit's check, which parses with the JDK ({@code java.net.URI}, {@code DateTimeFormatter})
 * or a plain scan, behind the cap. Formats Everit does not check ({@code idn-email}, {@code
 * idn-hostname}, {@code iri}, ...) stay unchecked.
 */
public final class Formats {
  /** The formats, each under its own name. */
  public static final List<BoundedFormat> ALL = List.of(
      new BoundedFormat("email", EmailFormat.MAX_CHARS, EmailFormat::check),
      new BoundedFormat("hostname", HostnameFormat.MAX_CHARS, HostnameFormat::check),
      new BoundedFormat("ipv4", IpFormats.MAX_IPV4_CHARS, IpFormats::checkIpv4),
      new BoundedFormat("ipv6", IpFormats.MAX_IPV6_CHARS, IpFormats::checkIpv6),
      new BoundedFormat("regex", RegexFormat.MAX_CHARS, RegexFormat::check),
      new BoundedFormat("uri", 65_536, new URIFormatValidator(false)),
      new BoundedFormat("uri-reference", 65_536, new URIReferenceFormatValidator()),
      new BoundedFormat("uri-template", 8_192, new URITemplateFormatValidator()),
      new BoundedFormat("json-pointer", 8_192, new JsonPointerFormatValidator()),
      new BoundedFormat("relative-json-pointer", 8_192, new RelativeJsonPointerFormatValidator()),
      new BoundedFormat("date", 64, new DateFormatValidator()),
      new BoundedFormat("time", 64, new TimeFormatValidator()),
      new BoundedFormat("date-time", 64, new DateTimeFormatValidator()));

  private Formats() {}

  /** {@code builder} with these formats in place of Everit's built-in ones. */
  public static SchemaLoader.SchemaLoaderBuilder install(SchemaLoader.SchemaLoaderBuilder builder) {
    builder.enableOverrideOfBuiltInFormatValidators();
    ALL.forEach(builder::addFormatValidator);
    return builder;
  }
}
