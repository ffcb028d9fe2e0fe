package io.toolgate.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Lines as the MCP stdio framing has them, however the bytes arrive and whatever the buffer's size. */
class LineReaderTest {
  @Test
  void linesWithTheirEndsDropped() throws IOException {
    assertThat(read("a\nb\r\n\nlast".getBytes(StandardCharsets.UTF_8), 10, 64, false))
        .containsExactly(text("a"), text("b"), text(""), text("last"));
    assertThat(read(new byte[0], 10, 64, false)).isEmpty();
  }

  @Test
  void aLineOverTheLimitIsReportedWithItsLengthAndTheNextOneIsRead() throws IOException {
    byte[] input = "0123456789\n0123456789x\nok\n".getBytes(StandardCharsets.UTF_8);
    for (int buffer : new int[] {4, 11, 64}) {
      assertThat(read(input, 10, buffer, false)).as("buffer " + buffer)
          .containsExactly(text("0123456789"), new LineReader.Line.TooLarge(11), text("ok"));
    }
  }

  @Test
  void utf8SplitAcrossReadsIsDecodedAndBrokenUtf8IsReported() throws IOException {
    byte[] input = "é€😀\n".getBytes(StandardCharsets.UTF_8);
    assertThat(read(input, 100, 3, true)).containsExactly(text("é€😀"));
    assertThat(read(new byte[] {'a', (byte) 0xC3, '\n', 'b', '\n'}, 100, 64, false))
        .containsExactly(new LineReader.Line.NotUtf8(), text("b"));
    assertThat(read(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, '\n'}, 100, 64, false))
        .as("an encoded lone surrogate is not UTF-8").containsExactly(new LineReader.Line.NotUtf8());
  }

  /** Random input, random buffer sizes, one byte or many per read: the same lines as a plain reading. */
  @Test
  void agreesWithAPlainReadingOfRandomInput() throws IOException {
    Random random = new Random(42);
    byte[] alphabet = "ab\r\n\n".getBytes(StandardCharsets.UTF_8);
    byte[] multi = "é😀".getBytes(StandardCharsets.UTF_8);
    for (int round = 0; round < 2_000; round++) {
      ByteArrayOutputStream input = new ByteArrayOutputStream();
      for (int i = random.nextInt(60); i > 0; i--) {
        int pick = random.nextInt(10);
        if (pick < 7) {
          input.write(alphabet[random.nextInt(alphabet.length)]);
        } else if (pick < 9) {
          input.write(multi, 0, multi.length);
        } else {
          input.write(0x80 + random.nextInt(0x40)); // a stray continuation byte
        }
      }
      byte[] bytes = input.toByteArray();
      int max = 1 + random.nextInt(12);
      int buffer = 1 + random.nextInt(16);
      assertThat(read(bytes, max, buffer, random.nextBoolean())).as("round " + round)
          .isEqualTo(plain(bytes, max));
    }
  }

  private static LineReader.Line text(String text) {
    return new LineReader.Line.Text(text);
  }

  private static List<LineReader.Line> read(byte[] input, int max, int buffer, boolean byteAtATime) throws IOException {
    InputStream in = new ByteArrayInputStream(input);
    if (byteAtATime) {
      InputStream all = in;
      in = new InputStream() {
        @Override
        public int read() throws IOException {
          return all.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          return all.read(b, off, Math.min(1, len));
        }
      };
    }
    LineReader reader = new LineReader(in, max, buffer);
    List<LineReader.Line> lines = new ArrayList<>();
    for (LineReader.Line line; (line = reader.next()) != null; ) {
      lines.add(line);
    }
    return lines;
  }

  /** The reference: split at LF, a CR before it dropped, over the limit (CR counted) too large, else strict UTF-8. */
  private static List<LineReader.Line> plain(byte[] input, int max) {
    List<LineReader.Line> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= input.length; i++) {
      boolean end = i == input.length;
      if (!end && input[i] != '\n') {
        continue;
      }
      if (end && start == input.length) {
        break;
      }
      int length = i - start;
      if (length > max) {
        lines.add(new LineReader.Line.TooLarge(length));
      } else {
        int stop = length > 0 && input[i - 1] == '\r' ? i - 1 : i;
        try {
          lines.add(text(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(input, start, stop - start))
              .toString()));
        } catch (CharacterCodingException e) {
          lines.add(new LineReader.Line.NotUtf8());
        }
      }
      start = i + 1;
    }
    return lines;
  }
}
