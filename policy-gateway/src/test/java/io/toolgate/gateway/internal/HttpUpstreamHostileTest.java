package io.toolgate.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An upstream server that misbehaves where it owes nothing: its answer to a notification. */
class HttpUpstreamHostileTest {
  @Test
  void anEndlessAnswerToANotificationIsCutOffAtTheSizeLimit() throws Exception {
    CountDownLatch cutOff = new CountDownLatch(1);
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread serving = new Thread(() -> {
        try (Socket socket = server.accept(); InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream()) {
          String head = head(in);
          int length = head.lines().filter(line -> line.toLowerCase().startsWith("content-length:"))
              .mapToInt(line -> Integer.parseInt(line.substring(15).trim())).findFirst().orElse(0);
          in.readNBytes(length);
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
          byte[] chunk = "5\r\n: x\n\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
          while (true) { // an event stream that never ends (comments only)
            out.write(chunk);
            out.flush();
          }
        } catch (IOException e) {
          cutOff.countDown(); // the gateway closed the connection
        }
      });
      serving.setDaemon(true);
      serving.start();
      HttpUpstream upstream = new HttpUpstream(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/mcp"), Map.of(), 4096);
      upstream.start(new Upstream.Listener() {
        @Override
        public void received(Message message) {}

        @Override
        public void lost(JsonNode id, String reason) {}
      });
      ObjectNode json = (ObjectNode) new ObjectMapper().readTree("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/roots/list_changed\"}");
      upstream.send(new Message(json.toString(), json));
      try {
        assertThat(cutOff.await(60, TimeUnit.SECONDS)).as("read no further than the size limit, then closed").isTrue();
      } finally {
        upstream.close();
      }
    }
  }

  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    for (int b; (b = in.read()) >= 0; ) {
      head.write(b);
      if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    throw new IOException("no head");
  }
}
