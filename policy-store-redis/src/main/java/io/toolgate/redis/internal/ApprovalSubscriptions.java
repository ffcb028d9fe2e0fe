package io.toolgate.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.toolgate.engine.approval.ApprovalAnswer;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Redis approval queue's listeners: one pub/sub connection, opened on the first subscription,
 * and one thread of its own that tells every listener, in the order Redis published the events
 * ({@code P} and a pending request, or {@code A} and an answer, as JSON).
 */
public final class ApprovalSubscriptions implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ApprovalSubscriptions.class.getName());

  private final RedisClient client;
  private final String channel;
  private final List<ApprovalQueue.Listener> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService dispatch = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "toolgate-approval-events");
    t.setDaemon(true);
    return t;
  });
  private StatefulRedisPubSubConnection<String, String> pubSub;

  /** Listeners of {@code channel}, through a connection of {@code client} opened when first needed. */
  public ApprovalSubscriptions(RedisClient client, String channel) {
    this.client = client;
    this.channel = channel;
  }

  /** Tells {@code listener} of every event from now on, until the handle is closed. */
  public synchronized ApprovalQueue.Subscription subscribe(ApprovalQueue.Listener listener) {
    if (pubSub == null) {
      StatefulRedisPubSubConnection<String, String> c = client.connectPubSub(StringCodec.UTF8);
      c.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String ch, String message) {
          dispatch.execute(() -> deliver(message));
        }
      });
      c.sync().subscribe(channel);
      pubSub = c;
    }
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public synchronized void close() {
    if (pubSub != null) {
      pubSub.close();
    }
    dispatch.shutdown();
  }

  private void deliver(String message) {
    boolean pending = message.startsWith("P");
    Object event;
    try {
      event = pending ? ApprovalCodec.pendingEvent(message.substring(1)) : ApprovalCodec.answer(message.substring(1));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "ignored an approval event from Redis that cannot be read", e);
      return;
    }
    for (ApprovalQueue.Listener listener : listeners) {
      try {
        if (pending) {
          listener.pending((PendingApproval) event);
        } else {
          listener.answered((ApprovalAnswer) event);
        }
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "an approval listener failed", e);
      }
    }
  }
}
