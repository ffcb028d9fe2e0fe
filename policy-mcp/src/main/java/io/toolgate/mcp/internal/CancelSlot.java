package io.toolgate.mcp.internal;

/**
 * One in-flight {@code tools/call} that its client may cancel ({@code notifications/cancelled}):
 * the transport hook makes it when the request arrives, the guard arms it when the engine holds
 * the call and disarms it once the call's decision is made. A cancellation counts only while the
 * call is held, or before (it then takes effect the moment the call is held); one that comes once
 * the decision is made changes nothing.
 */
public final class CancelSlot {
  /** The key under which a transport context carries the slot of the request it was built for. */
  public static final String CONTEXT_KEY = "io.toolgate.mcp.cancelSlot";

  private enum State {
    NEW,
    HELD,
    CANCELLED,
    DECIDED
  }

  private State state = State.NEW;
  private boolean requested;
  private boolean fired;
  private Runnable action;

  /** The client cancelled the request. */
  public synchronized void cancel() {
    if (state == State.DECIDED || state == State.CANCELLED) {
      return;
    }
    requested = true;
    if (state == State.HELD) {
      fire();
    }
  }

  /** What cancels the held call (interrupts its thread, cancels its stage); run at most once. */
  public synchronized void onCancel(Runnable action) {
    this.action = action;
    if (state == State.CANCELLED) {
      action.run();
    }
  }

  /** The engine holds the call; a cancellation that came before takes effect now. */
  synchronized void held() {
    if (state == State.NEW) {
      state = State.HELD;
      if (requested) {
        fire();
      }
    }
  }

  /**
   * The call's decision is made; true when a cancellation took effect before, every time it is
   * asked (the cancelled stage's completion may ask first, the tool's start then again).
   */
  synchronized boolean decided() {
    state = State.DECIDED;
    return fired;
  }

  /**
   * Runs the action under the lock, so that it never lands after {@link #decided} (an interrupt
   * meant for the wait must not reach the tool).
   */
  private void fire() {
    state = State.CANCELLED;
    fired = true;
    if (action != null) {
      action.run();
    }
  }
}
