package io.toolgate.gateway.internal;

import com.sun.net.httpserver.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A request head read strictly by {@link Http1Server}: the request line, the header fields, and
 * how the body is framed. Refused with a {@link Refusal} (its status): a line not ended by CRLF,
 * a request line over 8 KiB (414), a head over the size or field-count limit (431), obs-fold,
 * whitespace before a field's colon, control characters, a missing or repeated {@code Host} in
 * HTTP/1.1, {@code Content-Length} with {@code Transfer-Encoding}, a repeated or non-numeric
 * {@code Content-Length}, a transfer coding other than {@code chunked} (501), an {@code Expect}
 * other than {@code 100-continue} (417), a version other than 1.0 and 1.1 (505).
 */
record Http1Request(String method, String target, URI uri, boolean http11, Headers headers,
    long contentLength, boolean chunked, boolean expectContinue, boolean keepAlive) {
  static final int MAX_REQUEST_LINE = 8 * 1024;
  private static final int MAX_EMPTY_LINES = 4;

  /** A request the server answers with {@code status} and closes the connection after. */
  static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    Refusal(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /** A socket's input, buffered, each read bounded by a deadline (a slow client cannot hold a thread). */
  static final class In extends InputStream {
    private final Socket socket;
    private final InputStream raw;
    private final byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;
    private long deadline;

    In(Socket socket) throws IOException {
      this.socket = socket;
      this.raw = socket.getInputStream();
    }

    /** Reads from now on must end within {@code timeout}, all of them together. */
    void deadline(Duration timeout) {
      deadline = System.nanoTime() + timeout.toNanos();
    }

    /** The next byte without taking it, or -1 at the end of the stream. */
    int peek() throws IOException {
      return position < limit || fill() ? buffer[position] & 0xff : -1;
    }

    private boolean fill() throws IOException {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new SocketTimeoutException("the client took too long to send");
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
      int n = raw.read(buffer, 0, buffer.length);
      if (n <= 0) {
        return false;
      }
      position = 0;
      limit = n;
      return true;
    }

    @Override
    public int read() throws IOException {
      return position < limit || fill() ? buffer[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (position == limit && !fill()) {
        return -1;
      }
      int n = Math.min(len, limit - position);
      System.arraycopy(buffer, position, b, off, n);
      position += n;
      return n;
    }

    @Override
    public int available() {
      return limit - position;
    }

    /**
     * A line ended by CRLF (neither a bare CR nor a bare LF), as ISO-8859-1 text without its
     * end; {@code null} at the end of the stream before any byte of it.
     */
    String line(int max, int status) throws IOException, Refusal {
      StringBuilder line = new StringBuilder(64);
      while (true) {
        int c = read();
        if (c < 0) {
          if (line.length() == 0) {
            return null;
          }
          throw new Refusal(400, "the request ended inside a line");
        }
        if (c == '\r') {
          if (read() != '\n') {
            throw new Refusal(400, "a CR not followed by LF");
          }
          return line.toString();
        }
        if (c == '\n') {
          throw new Refusal(400, "a line ended by a bare LF");
        }
        if (line.length() >= max) {
          throw new Refusal(status, status == 414 ? "request line too long" : "request head too large");
        }
        line.append((char) c);
      }
    }
  }

  /**
   * Reads a request head; {@code null} if the client closed the connection before sending one.
   *
   * @throws Refusal if the head breaks a rule
   */
  static Http1Request read(In in, int maxHeadBytes, int maxFields) throws IOException, Refusal {
    String line = in.line(MAX_REQUEST_LINE, 414);
    for (int empty = 0; line != null && line.isEmpty(); empty++) {
      if (empty == MAX_EMPTY_LINES) {
        throw new Refusal(400, "empty lines before the request");
      }
      line = in.line(MAX_REQUEST_LINE, 414);
    }
    if (line == null) {
      return null;
    }
    int first = line.indexOf(' ');
    int second = first < 0 ? -1 : line.indexOf(' ', first + 1);
    if (first <= 0 || second < 0 || line.indexOf(' ', second + 1) >= 0) {
      throw new Refusal(400, "a request line is: method, one space, target, one space, version");
    }
    String method = line.substring(0, first);
    String target = line.substring(first + 1, second);
    String version = line.substring(second + 1);
    if (!token(method)) {
      throw new Refusal(400, "bad method");
    }
    boolean http11 = version.equals("HTTP/1.1");
    if (!http11 && !version.equals("HTTP/1.0")) {
      throw new Refusal(version.matches("HTTP/[0-9]\\.[0-9]") ? 505 : 400, "HTTP/1.1 or HTTP/1.0 only");
    }
    URI uri = uri(method, target);
    Headers headers = new Headers();
    int budget = maxHeadBytes - line.length();
    int fields = 0;
    while (true) {
      String field = in.line(Math.max(0, budget), 431);
      if (field == null) {
        throw new Refusal(400, "the request ended inside its head");
      }
      if (field.isEmpty()) {
        break;
      }
      budget -= field.length() + 2;
      if (++fields > maxFields) {
        throw new Refusal(431, "more than " + maxFields + " header fields");
      }
      if (field.charAt(0) == ' ' || field.charAt(0) == '\t') {
        throw new Refusal(400, "obs-fold (a header line continued on the next) is not accepted");
      }
      int colon = field.indexOf(':');
      if (colon <= 0 || !token(field.substring(0, colon))) {
        throw new Refusal(400, "bad header field name");
      }
      String value = field.substring(colon + 1).strip();
      if (!fieldValue(value)) {
        throw new Refusal(400, "control character in a header field");
      }
      headers.add(field.substring(0, colon), value);
    }
    return framing(method, target, uri, http11, headers);
  }

  private static Http1Request framing(String method, String target, URI uri, boolean http11, Headers headers)
      throws Refusal {
    List<String> hosts = headers.get("Host");
    if (http11 && (hosts == null || hosts.size() != 1)) {
      throw new Refusal(400, "an HTTP/1.1 request needs exactly one Host");
    }
    List<String> lengths = headers.get("Content-Length");
    List<String> codings = headers.get("Transfer-Encoding");
    if (lengths != null && codings != null) {
      throw new Refusal(400, "both Content-Length and Transfer-Encoding");
    }
    long length = -1;
    if (lengths != null) {
      if (lengths.size() != 1 || !digits(lengths.get(0), 18)) {
        throw new Refusal(400, "bad Content-Length");
      }
      length = Long.parseLong(lengths.get(0));
    }
    boolean chunked = false;
    if (codings != null) {
      if (!http11 || codings.size() != 1) {
        throw new Refusal(400, "bad Transfer-Encoding");
      }
      if (!codings.get(0).equalsIgnoreCase("chunked")) {
        throw new Refusal(501, "only the chunked transfer coding is accepted");
      }
      chunked = true;
    }
    boolean expectContinue = false;
    String expect = headers.getFirst("Expect");
    if (expect != null) {
      if (!expect.equalsIgnoreCase("100-continue") || headers.get("Expect").size() != 1) {
        throw new Refusal(417, "only Expect: 100-continue is understood");
      }
      expectContinue = http11;
    }
    boolean close = false;
    boolean keep = false;
    for (String value : headers.getOrDefault("Connection", List.of())) {
      for (String option : value.split(",")) {
        String each = option.strip().toLowerCase(Locale.ROOT);
        close |= each.equals("close");
        keep |= each.equals("keep-alive");
      }
    }
    return new Http1Request(method, target, uri, http11, headers, length, chunked, expectContinue,
        !close && (http11 || keep));
  }

  private static URI uri(String method, String target) throws Refusal {
    boolean origin = target.startsWith("/");
    boolean absolute = target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8);
    boolean asterisk = target.equals("*") && method.equals("OPTIONS");
    if (!origin && !absolute && !asterisk) {
      throw new Refusal(400, "bad request target");
    }
    try {
      return new URI(target);
    } catch (URISyntaxException e) {
      throw new Refusal(400, "bad request target");
    }
  }

  /** Whether {@code text} is a field value: no control character but tab. */
  private static boolean fieldValue(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\t' && (c < 0x20 || c == 0x7f)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code text} is 1 to {@code max} ASCII digits. */
  private static boolean digits(String text, int max) {
    if (text.isEmpty() || text.length() > max) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** An RFC 9110 token: visible ASCII except delimiters. */
  static boolean token(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= 32 || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** The request's body as sent: {@code Content-Length} bytes, chunks, or nothing. */
  InputStream body(In in, Runnable beforeFirstRead) {
    if (chunked) {
      return new Http1Body.Chunked(in, beforeFirstRead);
    }
    return new Http1Body.Fixed(in, Math.max(0, contentLength), beforeFirstRead);
  }
}
