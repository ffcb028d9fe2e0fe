package io.toolgate.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.toolgate.mcp.internal.PostedMessage.Kind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scan {@code McpCancellation} makes of each posted message: what it finds, where it stops,
 * and that every body, hostile or not, reaches the transport byte for byte.
 */
class PostedMessageTest {
  private static final int MAX = 1 << 20;

  /**
   * What the scan found, after checking that its bytes and the unread rest make up the body, and
   * that a Content-Length that is missing, true or a lie changes nothing but the buffer's size.
   */
  private static PostedMessage scan(byte[] body, int max) throws IOException {
    PostedMessage first = null;
    for (long contentLength : new long[] {-1, body.length, 0, body.length / 2, body.length * 3L, Long.MAX_VALUE}) {
      InputStream in = new ByteArrayInputStream(body);
      PostedMessage message = PostedMessage.read(in, max, contentLength);
      ByteArrayOutputStream replayed = new ByteArrayOutputStream();
      replayed.write(message.bytes(), 0, message.length());
      in.transferTo(replayed);
      assertThat(replayed.toByteArray()).as("the body as the transport gets it").isEqualTo(body);
      assertThat(message.kind() == Kind.OTHER).isEqualTo(message.id() == null);
      assertThat(message.bytes().length).as("the buffer").isLessThanOrEqualTo(max);
      if (first == null) {
        first = message;
      } else {
        assertThat(message.kind()).isEqualTo(first.kind());
        assertThat(message.id()).isEqualTo(first.id());
        assertThat(message.length()).isEqualTo(first.length());
      }
    }
    return first;
  }

  private static PostedMessage scan(String body) throws IOException {
    return scan(body.getBytes(StandardCharsets.UTF_8), MAX);
  }

  @Test
  void aCallAsTheJavaSdkWritesItIsFoundBeforeItsParamsAreRead() throws IOException {
    String call = "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"id\":42,\"params\":{\"name\":\"x\",\"arguments\":{\"text\":\""
        + "a".repeat(500_000) + "\"}}}";
    PostedMessage message = scan(call);
    assertThat(message.kind()).isEqualTo(Kind.CALL);
    assertThat(message.id()).isEqualTo("n42");
    assertThat(message.length()).as("bytes read: one parser buffer, not the arguments").isLessThan(16 * 1024);
  }

  @Test
  void aCallWhoseIdComesLastAsTheTypeScriptSdkWritesItIsFoundAfterItsParams() throws IOException {
    PostedMessage message = scan("{\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{\"a\":[1,{\"b\":\""
        + "z".repeat(200_000) + "\"}]},\"requestId\":9},\"jsonrpc\":\"2.0\",\"id\":\"call-7\"}");
    assertThat(message.kind()).isEqualTo(Kind.CALL);
    assertThat(message.id()).isEqualTo("scall-7");
  }

  @Test
  void anIdBeforeTheMethodCounts() throws IOException {
    assertThat(scan("{\"id\":-5,\"jsonrpc\":\"2.0\",\"method\":\"tools/call\"}").id()).isEqualTo("n-5");
    assertThat(scan("{\"id\":-0,\"method\":\"tools/call\"}").id()).isEqualTo("n0");
    assertThat(scan("{\"id\":123456789012345678901234567890,\"method\":\"tools/call\"}").id())
        .isEqualTo("n123456789012345678901234567890");
  }

  @Test
  void aCancellationNamesItsRequestWhereverItsParamsAre() throws IOException {
    PostedMessage message = scan("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
        + "\"params\":{\"reason\":{\"deep\":[1,2,3]},\"requestId\":42}}");
    assertThat(message.kind()).isEqualTo(Kind.CANCELLED);
    assertThat(message.id()).isEqualTo("n42");
    assertThat(scan("{\"params\":{\"requestId\":\"abc\",\"requestId\":\"later\"},\"method\":\"notifications/cancelled\"}").id())
        .isEqualTo("sabc");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"id\":1,\"params\":{\"requestId\":42}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":42}}",
      "{\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":{\"id\":42}}}",
      "{\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":[42]}}",
      "{\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":null}}",
      "{\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1e300}}",
      "{\"method\":\"notifications/cancelled\",\"params\":{\"other\":42}}",
      "{\"method\":\"notifications/cancelled\",\"params\":[42]}",
      "{\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":42}",
      "{\"method\":\"notifications/initialized\"}",
      "{\"jsonrpc\":\"2.0\",\"method\":\"tools/list\",\"id\":3}",
      "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{},\"method\":\"tools/call\"}",
      "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1},\"id\":3,\"method\":\"tools/call\"}",
      "{\"method\":\"tools/call\",\"params\":{}}",
      "{\"method\":\"tools/call\",\"id\":null}",
      "{\"method\":\"tools/call\",\"id\":true}",
      "{\"method\":\"tools/call\",\"id\":{\"n\":1}}",
      "{\"method\":\"tools/call\",\"id\":[1]}",
      "{\"method\":\"tools/call\",\"id\":1e999}",
      "{\"method\":\"tools/call\",\"id\":1.0}",
      "{\"method\":\"tools/call\",\"id\":-1e-999}",
      "{\"method\":42,\"id\":1}",
      "{\"method\":{\"tools/call\":1},\"id\":1}",
      "{\"method\":\"tools/call \",\"id\":1}",
      "{\"method\":\"TOOLS/CALL\",\"id\":1}",
      "[{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"id\":1}]",
      "\"tools/call\"",
      "42",
      "null",
      "",
      "   ",
      "{",
      "{\"method\":\"tools/call\",\"id\":",
      "{\"method\":\"tools/call\" \"id\":1}",
      "{method:\"tools/call\",id:1}",
      "{'method':'tools/call','id':1}",
      "<html>not json</html>",
      "{\"method\":\"tools/call\",\"id\":01}",
      "{\"method\":\"tools/call\",\"id\":NaN}",
      "{\"method\":\"tools/call\",\"id\":-Infinity}",
  })
  void anythingElseIsNotTracked(String body) throws IOException {
    assertThat(scan(body).kind()).isEqualTo(Kind.OTHER);
  }

  @Test
  void duplicateKeysCountAtTheirFirstOccurrence() throws IOException {
    assertThat(scan("{\"method\":\"tools/call\",\"method\":\"tools/list\",\"id\":1}").kind()).isEqualTo(Kind.CALL);
    assertThat(scan("{\"method\":\"tools/list\",\"method\":\"tools/call\",\"id\":1}").kind()).isEqualTo(Kind.OTHER);
    assertThat(scan("{\"id\":1,\"id\":\"x\",\"method\":\"tools/call\",\"id\":2}").id()).isEqualTo("n1");
    assertThat(scan("{\"id\":{},\"id\":1,\"method\":\"tools/call\"}").kind()).isEqualTo(Kind.OTHER);
  }

  @Test
  void aMethodAfterParamsLargerThanTheScanReadsIsNotTrackedAndTheBodyPassesWhole() throws IOException {
    String body = "{\"params\":{\"arguments\":{\"text\":\"" + "x".repeat(300_000) + "\"}},\"method\":\"tools/call\",\"id\":1}";
    assertThat(scan(body).kind()).isEqualTo(Kind.CALL); // within the limit: found
    PostedMessage limited = scan(body.getBytes(StandardCharsets.UTF_8), 100_000);
    assertThat(limited.kind()).isEqualTo(Kind.OTHER);
    assertThat(limited.length()).isEqualTo(100_000);
  }

  @Test
  void deepNestingEndsTheScanWithoutRecursion() throws IOException {
    String deep = "[".repeat(200_000) + "]".repeat(200_000);
    assertThat(scan("{\"params\":" + deep + ",\"method\":\"tools/call\",\"id\":1}").kind()).isEqualTo(Kind.OTHER);
    assertThat(scan("{\"method\":\"notifications/cancelled\",\"params\":{\"x\":" + deep + ",\"requestId\":1}}").kind())
        .isEqualTo(Kind.OTHER);
    assertThat(scan("{\"method\":\"tools/call\",\"id\":1,\"params\":" + deep + "}").kind())
        .isEqualTo(Kind.CALL); // found before the nesting
    assertThat(scan(deep).kind()).isEqualTo(Kind.OTHER);
  }

  @Test
  void overlongMethodsIdsAndNamesAreNotRead() throws IOException {
    String huge = "m".repeat(1_000_000);
    assertThat(scan("{\"method\":\"" + huge + "\",\"id\":1}").kind()).isEqualTo(Kind.OTHER);
    assertThat(scan("{\"method\":\"tools/call\",\"id\":\"" + huge + "\"}").kind()).isEqualTo(Kind.OTHER);
    assertThat(scan("{\"method\":\"tools/call\",\"id\":" + "9".repeat(100_000) + "}").kind()).isEqualTo(Kind.OTHER);
    assertThat(scan("{\"" + huge + "\":1,\"method\":\"tools/call\",\"id\":1}").kind()).isEqualTo(Kind.OTHER);
    assertThat(scan("{\"params\":{\"" + huge + "\":1},\"method\":\"tools/call\",\"id\":1}").kind()).isEqualTo(Kind.OTHER);
  }

  @Test
  void invalidUtf8IsPassedOnAsItCame() throws IOException {
    byte[] method = "{\"method\":\"tools/call\u0001\",\"id\":1}".getBytes(StandardCharsets.UTF_8);
    method[21] = (byte) 0xff;
    assertThat(scan(method, MAX).kind()).isEqualTo(Kind.OTHER);
    byte[] params = "{\"params\":{\"a\":\"\u0001\u0001\"},\"method\":\"tools/call\",\"id\":1}".getBytes(StandardCharsets.UTF_8);
    params[16] = (byte) 0xc3; // a lead byte followed by no continuation
    params[17] = (byte) 0x28;
    scan(params, MAX); // either way: the transport gets the bytes
    byte[] garbage = new byte[70_000];
    for (int i = 0; i < garbage.length; i++) {
      garbage[i] = (byte) (i * 31 + 7);
    }
    assertThat(scan(garbage, MAX).kind()).isEqualTo(Kind.OTHER);
    byte[] utf16 = "{\"method\":\"tools/call\",\"id\":1}".getBytes(StandardCharsets.UTF_16);
    scan(utf16, MAX); // Jackson detects it; what it finds does not matter, the bytes pass
  }

  @Test
  void aFailingStreamFailsTheRequestAsBefore() {
    InputStream broken = new InputStream() {
      private int sent;

      @Override
      public int read() throws IOException {
        throw new IOException("the client went away");
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (sent++ == 0) {
          byte[] start = "{\"method\":\"tools/call\",".getBytes(StandardCharsets.UTF_8);
          System.arraycopy(start, 0, b, off, start.length);
          return start.length;
        }
        throw new IOException("the client went away");
      }
    };
    assertThatThrownBy(() -> PostedMessage.read(broken, MAX, -1)).isInstanceOf(IOException.class)
        .hasMessage("the client went away");
  }

  @Test
  void bytesArriveInAnyChunks() throws IOException {
    byte[] body = "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"id\":\"a\",\"params\":{}}".getBytes(StandardCharsets.UTF_8);
    InputStream trickle = new ByteArrayInputStream(body) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1));
      }
    };
    PostedMessage message = PostedMessage.read(trickle, MAX, 3);
    assertThat(message.kind()).isEqualTo(Kind.CALL);
    assertThat(message.id()).isEqualTo("sa");
    byte[] replayed = Arrays.copyOf(message.bytes(), message.length());
    assertThat(new String(replayed, StandardCharsets.UTF_8) + new String(trickle.readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo(new String(body, StandardCharsets.UTF_8));
  }
}
