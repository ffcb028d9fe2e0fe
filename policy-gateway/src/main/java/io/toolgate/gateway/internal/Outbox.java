package io.toolgate.gateway.internal;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lines waiting for a child server's stdin, bounded in number and in characters: a server that
 * stops reading holds at most {@code maxChars} of a session's messages in memory, however large
 * each is. One line longer than the budget still passes when nothing else waits, so every message
 * the gateway accepts can reach the server.
 */
final class Outbox {
  private static final String STOP = "\u0000stop";

  private final LinkedBlockingQueue<String> lines;
  private final long maxChars;
  private final AtomicLong chars = new AtomicLong();

  Outbox(int maxLines, long maxChars) {
    this.lines = new LinkedBlockingQueue<>(maxLines);
    this.maxChars = maxChars;
  }

  /** Queues {@code line}; {@code false} when the outbox is full (by lines or by characters). */
  boolean offer(String line) {
    long length = line.length();
    long total = chars.addAndGet(length);
    if (total > maxChars && total != length || !lines.offer(line)) {
      chars.addAndGet(-length);
      return false;
    }
    return true;
  }

  /** The next line, waiting for one; {@code null} once {@link #stop} was called and what came before it was taken. */
  String take() throws InterruptedException {
    String line = lines.take();
    if (line == STOP) {
      return null;
    }
    chars.addAndGet(-line.length());
    return line;
  }

  boolean isEmpty() {
    return lines.isEmpty();
  }

  /** Ends the writer after the lines queued so far, or at once (dropping them) when no room is left for the mark. */
  void stop() {
    if (!lines.offer(STOP)) {
      lines.clear();
      chars.set(0);
      lines.offer(STOP);
    }
  }

  /** Characters queued now. */
  long chars() {
    return chars.get();
  }
}
