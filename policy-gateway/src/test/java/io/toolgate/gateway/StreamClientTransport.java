package io.toolgate.gateway;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The SDK's stdio client framing (one JSON-RPC message a line) over any two streams: the SDK
 * client talks to a gateway run in the test's JVM, or to a process the test started itself.
 */
final class StreamClientTransport implements McpClientTransport {
  private final InputStream in;
  private final OutputStream out;
  private final McpJsonMapper mapper;

  StreamClientTransport(InputStream in, OutputStream out, McpJsonMapper mapper) {
    this.in = in;
    this.out = out;
    this.mapper = mapper;
  }

  @Override
  public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          JSONRPCMessage message;
          try {
            message = McpSchema.deserializeJsonRpcMessage(mapper, line);
          } catch (IllegalArgumentException unreadable) {
            continue; // e.g. an error answer with a null id, which the SDK's types cannot hold: skipped
          }
          handler.apply(Mono.just(message)).subscribe(ignored -> {}, error -> {});
        }
      } catch (IOException e) {
        // the gateway closed its output
      }
    }, "test-client-reader");
    reader.setDaemon(true);
    reader.start();
    return Mono.empty();
  }

  @Override
  public Mono<Void> sendMessage(JSONRPCMessage message) {
    return Mono.fromRunnable(() -> {
      try {
        String line = mapper.writeValueAsString(message) + "\n";
        synchronized (out) {
          out.write(line.getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  @Override
  public Mono<Void> closeGracefully() {
    return Mono.fromRunnable(() -> {
      try {
        out.close();
      } catch (IOException e) {
        // already closed
      }
    });
  }

  @Override
  public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
    return mapper.convertValue(data, typeRef);
  }
}
