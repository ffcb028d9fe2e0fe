package io.toolgate.engine.internal.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.internal.Jackson;
import io.toolgate.engine.internal.load.PolicyLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.everit.json.schema.FormatValidator;
import org.everit.json.schema.ObjectSchema;
import org.everit.json.schema.StringSchema;
import org.everit.json.schema.internal.EmailFormatValidator;
import org.everit.json.schema.internal.HostnameFormatValidator;
import org.everit.json.schema.internal.IPV4Validator;
import org.everit.json.schema.internal.IPV6Validator;
import org.everit.json.schema.internal.RegexFormatValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DESIGN.md "Time and memory are linear in the call's size": every {@code format} an argument
 * schema can name is checked by a bounded, linear validator of ours, never by Everit's built-in one
 * (commons-validator's email expression backtracks quadratically; its {@code regex} format compiles
 * agent text with {@code java.util.regex}), and ours decide ordinary values as Everit's did.
 */
class FormatsTest {
  private static final List<String> EVERIT_DRAFT7 = List.of("date-time", "email", "ipv4", "ipv6", "hostname",
      "json-pointer", "uri-reference", "uri-template", "date", "uri", "time", "regex", "relative-json-pointer");

  private static StringSchema loaded(String format) {
    var policy = Jackson.JSON.createObjectNode();
    policy.put("version", "1");
    var args = policy.putObject("tools").putObject("t").putObject("arguments");
    args.put("type", "object");
    args.putObject("properties").putObject("v").put("type", "string").put("format", format);
    var result = PolicyLoader.load(policy, "test");
    assertThat(result.problems()).isEmpty();
    ObjectSchema schema = (ObjectSchema) result.model().tools().get(0).arguments().schema();
    return (StringSchema) schema.getPropertySchemas().get("v");
  }

  @Test
  void everyFormatEveritChecksForDraft7IsCheckedByABoundedValidatorOfOurs() {
    for (String format : EVERIT_DRAFT7) {
      FormatValidator validator = loaded(format).getFormatValidator();
      assertThat(validator).as(format).isInstanceOf(BoundedFormat.class);
      assertThat(validator.formatName()).isEqualTo(format);
    }
    assertThat(Formats.ALL).extracting(FormatValidator::formatName).containsExactlyInAnyOrderElementsOf(EVERIT_DRAFT7);
  }

  @Test
  void aFormatEveritDoesNotKnowStaysUnchecked() {
    assertThat(loaded("idn-email").getFormatValidator()).isNotInstanceOf(BoundedFormat.class);
  }

  /** A megabyte of the text that is worst for each format is refused, with a short reason. */
  @ParameterizedTest
  @ValueSource(strings = {"date-time", "email", "ipv4", "ipv6", "hostname", "json-pointer", "uri-reference",
      "uri-template", "date", "uri", "time", "regex", "relative-json-pointer"})
  void aMegabyteOfHostileTextIsDecidedAndDenied(String format) {
    PolicyEngine engine = PolicyEngine.of(Policy.parse("{\"version\":\"1\",\"tools\":{\"t\":{\"arguments\":"
        + "{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"string\",\"format\":\"" + format + "\"}}}}}}"));
    for (String hostile : List.of("@".repeat(1 << 20) + " ", "a.".repeat(1 << 19) + "_", "(".repeat(1 << 20),
        "1".repeat(1 << 20), ":".repeat(1 << 20) + "x", "/~".repeat(1 << 19) + "2")) {
      Decision d = engine.evaluate(ToolCall.of("t", Map.of("v", hostile)), CallContext.of("agent"));
      assertThat(d).as(format).isInstanceOf(Decision.Deny.class);
      assertThat(((Decision.Deny) d).reason()).contains("longer than").hasSizeLessThan(400);
    }
  }

  /** The longest value each format accepts, made as slow as it can be, is still decided. */
  @Test
  void theWorstValueWithinEachCapIsDecided() {
    for (BoundedFormat format : Formats.ALL) {
      int n = format.maxChars();
      for (String worst : List.of("@".repeat(n - 1) + " ", "(".repeat(n), "a@".repeat(n / 2), "\"\\".repeat(n / 2))) {
        assertThat(format.validate(worst)).as(format.formatName()).isNotNull();
      }
    }
  }

  @Test
  void emailDecidesOrdinaryAddressesAsEveritDid() {
    List<String> table = List.of("alice@example.com", "a.b@example.co.uk", "user+tag@sub.example.org",
        "\"quoted user\"@example.com", "o'brien@example.ie", "x@localhost", "x@com", "x@.com", "x@example.",
        "x@[192.168.0.1]", "x@[::1]", "x@[300.1.1.1]", "@example.com", "x@", "x y@example.com", "x@exa mple.com",
        "a..b@example.com", ".a@example.com", "a.@example.com", "a@b@example.com", "\"a@b\"@example.com",
        "x@example.invalidtld", "x@xn--bcher-kva.example", "x@bücher.example", "x@example.com\n",
        "x\n@example.com", "a\\@b@example.com", "x@-example.com", "x@example-.com", "x@ex_ample.com",
        "1234567890123456789012345678901234567890123456789012345678901234@example.com",
        "12345678901234567890123456789012345678901234567890123456789012345@example.com", "x@" + "a".repeat(64) + ".com",
        "x@a\u2028@b.com", "(x)@example.com", "x@example.com.", "é@example.com", "x@EXAMPLE.COM");
    agree(new EmailFormatValidator(), Formats.ALL.get(0), table);
    agree(new EmailFormatValidator(), Formats.ALL.get(0), strings("a@.\" \\[]1\n", 5));
  }

  @Test
  void hostnameDecidesOrdinaryNamesAsEveritDid() {
    List<String> table = List.of("example.com", "localhost", "a", "a-b.example.org", "-a.com", "a-.com", "a..com",
        "example.com.", ".example.com", "ex_ample.com", "bücher.example", "xn--bcher-kva.example", "example.invalidtld",
        "1.2.3.4", "a." + "b".repeat(63) + ".com", "a." + "b".repeat(64) + ".com", "a.b.c.d.e.f.g.h.io",
        String.join(".", java.util.Collections.nCopies(126, "a")) + ".io", "EXAMPLE.COM", "example.com。");
    agree(new HostnameFormatValidator(), Formats.ALL.get(1), table);
    agree(new HostnameFormatValidator(), Formats.ALL.get(1), strings("a1-._Zé", 5));
  }

  @Test
  void ipAddressesAreDecidedAsEveritDid() {
    List<String> v4 = List.of("0.0.0.0", "255.255.255.255", "256.1.1.1", "01.1.1.1", "1.1.1", "1.1.1.1.", "1.1.1.1.1",
        "a.b.c.d", "1.1.1.1 ", "١.١.١.١", "1234.1.1.1", "");
    agree(new IPV4Validator(), Formats.ALL.get(2), v4);
    agree(new IPV4Validator(), Formats.ALL.get(2), strings("0129.", 7));
    List<String> v6 = List.of("::1", "::", "2001:db8::1", "2001:db8:0:0:0:0:2:1", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.4",
        "fe80::1%eth0", "1::2::3", "g::1", "12345::", "1:2:3:4:5:6:7::", "");
    agree(new IPV6Validator(), Formats.ALL.get(3), v6);
    agree(new IPV6Validator(), Formats.ALL.get(3), strings("0f:.%", 6));
  }

  @Test
  void regexAcceptsWhatBothDialectsShareAndIsBoundedInSize() {
    List<String> shared = List.of("^[a-z]+$", "a|b", "(x)(y)?", "\\d{1,3}", "[", "(", "a{2,1}", "*a", "\\p{L}+");
    agree(new RegexFormatValidator(), Formats.ALL.get(4), shared);
    BoundedFormat regex = Formats.ALL.get(4);
    assertThat(regex.validate("(?=lookahead)")).as("RE2 has no lookaround").isPresent();
    assertThat(regex.validate("((a{1000}){1000}){1000}")).as("a billion instructions").isPresent();
  }

  /** Every string of at most {@code length} chars over {@code alphabet}. */
  private static List<String> strings(String alphabet, int length) {
    List<String> out = new ArrayList<>(List.of(""));
    List<String> layer = List.of("");
    for (int i = 0; i < length; i++) {
      List<String> next = new ArrayList<>();
      for (String s : layer) {
        for (char c : alphabet.toCharArray()) {
          next.add(s + c);
        }
      }
      out.addAll(next);
      layer = next;
    }
    return out;
  }

  private static void agree(FormatValidator everit, FormatValidator ours, List<String> values) {
    List<String> disagree = new ArrayList<>();
    for (String v : values) {
      if (everit.validate(v).isPresent() != ours.validate(v).isPresent()) {
        disagree.add(v);
      }
    }
    assertThat(disagree).as(ours.formatName() + ": values Everit and ours decide differently").isEmpty();
  }
}
