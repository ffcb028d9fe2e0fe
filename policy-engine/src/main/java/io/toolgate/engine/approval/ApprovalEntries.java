package io.toolgate.engine.approval;

import io.toolgate.api.ApprovalRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The book-keeping of an {@link InMemoryApprovalQueue}: its entries by call and by id, in the
 * order they expire, and how many are pending, in all and per principal. Not thread-safe: the
 * queue calls it under its lock.
 */
final class ApprovalEntries {
  enum State {
    PENDING,
    APPROVED,
    /** Approved, and claimed by a call the engine is deciding: confirmed or released next. */
    CLAIMED,
    REJECTED
  }

  /** A call's identity: tool, principal and the digest of its canonical arguments. */
  record Key(String tool, String principal, String argumentsDigest) {}

  /** One call's request and answer. */
  static final class Entry {
    final Key key;
    final String id;
    final ApprovalRequest request;
    final Instant requestedAt;
    State state = State.PENDING;
    Instant expiresAt;
    String approver;
    String reason;

    private Entry(Key key, ApprovalRequest request, Instant requestedAt, Instant expiresAt) {
      this.key = key;
      this.id = UUID.randomUUID().toString();
      this.request = request;
      this.requestedAt = requestedAt;
      this.expiresAt = expiresAt;
    }

    boolean expired(Instant now) {
      return !now.isBefore(expiresAt);
    }

    PendingApproval pending() {
      return new PendingApproval(id, request, requestedAt, expiresAt);
    }
  }

  /** By key, in the order of their last change, which is the order in which they expire. */
  private final LinkedHashMap<Key, Entry> byKey = new LinkedHashMap<>();

  private final Map<String, Entry> byId = new HashMap<>();

  /** How many PENDING entries each principal has; {@code null} is the key of calls without one. */
  private final Map<String, Integer> pendingByPrincipal = new HashMap<>();

  /** How many PENDING entries there are. */
  private int pending;

  /** The live entry for the call {@code key}, or {@code null}; forgets expired entries first. */
  Entry byKey(Key key, Instant now) {
    purge(now);
    return live(byKey.get(key), now);
  }

  /** The live entry with this id, or {@code null}; forgets expired entries first. */
  Entry byId(String id, Instant now) {
    purge(now);
    return live(byId.get(id), now);
  }

  /** The entry with this id, whether or not it has expired, or {@code null}. */
  Entry byId(String id) {
    return byId.get(id);
  }

  /** A new pending request for the call {@code key}. */
  Entry add(Key key, ApprovalRequest request, Instant now, Instant expiresAt) {
    Entry entry = new Entry(key, request, now, expiresAt);
    byKey.put(key, entry);
    byId.put(entry.id, entry);
    pendingByPrincipal.merge(key.principal(), 1, Integer::sum);
    pending++;
    return entry;
  }

  /** Records the answer to a pending {@code entry}, which lives from now until {@code expiresAt}. */
  void answer(Entry entry, State state, String approver, String reason, Instant expiresAt) {
    unpend(entry);
    entry.state = state;
    entry.approver = approver;
    entry.reason = reason;
    entry.expiresAt = expiresAt;
    byKey.remove(entry.key); // re-insert: the map stays in the order entries expire
    byKey.put(entry.key, entry);
  }

  void remove(Entry entry) {
    byKey.remove(entry.key);
    byId.remove(entry.id);
    unpend(entry);
  }

  /** The live pending requests, oldest first; forgets expired entries first. */
  List<PendingApproval> pending(Instant now) {
    purge(now);
    List<PendingApproval> out = new ArrayList<>();
    for (Entry entry : byKey.values()) {
      if (entry.state == State.PENDING && !entry.expired(now)) {
        out.add(entry.pending());
      }
    }
    out.sort((a, b) -> a.requestedAt().compareTo(b.requestedAt()));
    return out;
  }

  /** How many requests are pending: a counter, after forgetting expired entries. */
  int pendingCount(Instant now) {
    purge(now);
    return pending;
  }

  /** How many requests {@code principal} has pending. */
  int pendingOf(String principal) {
    return pendingByPrincipal.getOrDefault(principal, 0);
  }

  /** How many entries are held, after forgetting expired ones. */
  int size(Instant now) {
    purge(now);
    return byKey.size();
  }

  /** How many entries are held, expired ones not yet forgotten included. */
  int size() {
    return byKey.size();
  }

  /**
   * {@code entry} if it is live; otherwise forgets it. After {@link #purge} an entry can only be
   * expired here if the clock went back, since purge stops at the first live entry.
   */
  private Entry live(Entry entry, Instant now) {
    if (entry != null && entry.expired(now)) {
      remove(entry);
      return null;
    }
    return entry;
  }

  /** Forgets expired entries from the oldest on; cheap when nothing has expired. */
  private void purge(Instant now) {
    for (Iterator<Entry> it = byKey.values().iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      if (!entry.expired(now)) {
        return;
      }
      it.remove();
      byId.remove(entry.id);
      unpend(entry);
    }
  }

  /** Takes a PENDING entry off the counts (it was answered, or is forgotten). */
  private void unpend(Entry entry) {
    if (entry.state == State.PENDING) {
      pending--;
      pendingByPrincipal.computeIfPresent(entry.key.principal(), (p, n) -> n == 1 ? null : n - 1);
    }
  }
}
