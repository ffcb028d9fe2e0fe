package io.toolgate.spring.autoconfigure.actuator;

import io.toolgate.api.AgentText;
import io.toolgate.api.ApprovalService;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyView;
import io.toolgate.engine.approval.InMemoryApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import io.toolgate.spring.autoconfigure.ToolgateConfigurationException;
import io.toolgate.spring.autoconfigure.ToolgatePolicySource;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code toolgate} actuator endpoint:
 *
 * <ul>
 *   <li>{@code GET /actuator/toolgate}: the policy in force (source, digest, load time, tools and
 *       their limits) and the approvals pending;
 *   <li>{@code POST /actuator/toolgate}: reloads the policy from {@code toolgate.policy}; a policy
 *       that fails to load is not put in force, and the answer lists its problems;
 *   <li>{@code POST /actuator/toolgate/{id}/approve} and {@code POST /actuator/toolgate/{id}/reject}
 *       (optional body {@code {"reason": "..."}}): answers a pending approval, as the request's
 *       authenticated principal ({@value #ANONYMOUS} without one).
 * </ul>
 *
 * <p>Approvals are answered only when the engine's approval service is the in-memory queue.
 * Secure the endpoint as any actuator endpoint that changes state: whoever can reach it approves.
 */
@Endpoint(id = "toolgate")
public class ToolgateEndpoint {
  /** The approver recorded when the request has no authenticated principal. */
  public static final String ANONYMOUS = "anonymous";

  /** The longest reason kept from a rejection, in characters. */
  public static final int MAX_REASON_CHARS = 500;

  private final PolicyEngine engine;
  private final ToolgatePolicySource source;
  private final ApprovalService approvals;

  /** An endpoint over {@code engine}, reloading from {@code source}, answering {@code approvals}. */
  public ToolgateEndpoint(PolicyEngine engine, ToolgatePolicySource source, ApprovalService approvals) {
    this.engine = engine;
    this.source = source;
    this.approvals = approvals;
  }

  /** The policy in force and the approvals pending. */
  @ReadOperation
  public Status status() {
    return new Status(PolicyDescriptor.of(engine.policy()), pending());
  }

  /** Reloads the policy from its source; the policy in force stays if the new one fails to load. */
  @WriteOperation
  public Reload reload() {
    Policy next;
    try {
      next = source.load();
    } catch (ToolgateConfigurationException e) {
      return new Reload(false, e.description(), PolicyDescriptor.of(engine.policy()));
    }
    engine.reload(next);
    return new Reload(true, "reloaded", PolicyDescriptor.of(next));
  }

  /**
   * Approves or rejects the pending approval {@code id}.
   *
   * @param answer {@code approve} or {@code reject}
   * @param reason for a rejection, shown to the agent; at most {@value #MAX_REASON_CHARS} characters kept
   * @param principal the authenticated caller, the approver
   */
  @WriteOperation
  public Answer answer(@Selector String id, @Selector String answer, @Nullable String reason, @Nullable Principal principal) {
    String approver = principal == null || principal.getName() == null ? ANONYMOUS : principal.getName();
    boolean approve = switch (answer.toLowerCase(Locale.ROOT)) {
      case "approve" -> true;
      case "reject" -> false;
      default -> throw new InvalidEndpointRequestException(
          "answer must be approve or reject", "answer must be approve or reject, not " + AgentText.excerpt(answer));
    };
    String shownId = AgentText.excerpt(id);
    if (!(approvals instanceof InMemoryApprovalQueue queue)) {
      return new Answer(shownId, false, approver, "the approval service is not the in-memory queue; answer it where it lives");
    }
    boolean done = approve
        ? queue.approve(id, approver)
        : queue.reject(id, approver, reason == null ? null : AgentText.excerpt(reason, MAX_REASON_CHARS));
    return new Answer(shownId, done, approver,
        done ? (approve ? "approved" : "rejected") : "no pending approval with this id (unknown, expired or already answered)");
  }

  private List<Pending> pending() {
    if (!(approvals instanceof InMemoryApprovalQueue queue)) {
      return List.of();
    }
    return queue.pending().stream().map(Pending::of).toList();
  }

  /**
   * What {@code GET} answers.
   *
   * @param policy the policy in force
   * @param pendingApprovals the approvals no one has answered, oldest first
   */
  public record Status(PolicyDescriptor policy, List<Pending> pendingApprovals) {}

  /**
   * What a reload answers.
   *
   * @param reloaded whether a new policy was put in force
   * @param message {@code reloaded}, or why the policy in force stays (its problems, located)
   * @param policy the policy in force now
   */
  public record Reload(boolean reloaded, String message, PolicyDescriptor policy) {}

  /**
   * What an approve or reject answers.
   *
   * @param id the id asked for, as an excerpt
   * @param done whether this answered the request
   * @param approver who answered
   * @param message what happened
   */
  public record Answer(String id, boolean done, String approver, String message) {}

  /**
   * One pending approval.
   *
   * @param id the id to approve or reject
   * @param tool the tool called
   * @param principal who called it, or {@code null}
   * @param requestedAt when it was first asked for
   * @param expiresAt when it is forgotten unless answered
   */
  public record Pending(String id, String tool, String principal, Instant requestedAt, Instant expiresAt) {
    static Pending of(PendingApproval p) {
      return new Pending(p.id(), AgentText.excerpt(p.request().call().tool()),
          AgentText.excerpt(p.request().context().principal()), p.requestedAt(), p.expiresAt());
    }
  }

  /**
   * The policy in force.
   *
   * @param source where it was loaded from, or {@code null}
   * @param digest its SHA-256 (canonical JSON)
   * @param loadedAt when it was loaded
   * @param description its description, or {@code null}
   * @param defaultAction {@code allow} or {@code deny}
   * @param tools every tool entry, top level then grants'
   */
  public record PolicyDescriptor(
      String source, String digest, Instant loadedAt, String description, String defaultAction, List<Tool> tools) {
    static PolicyDescriptor of(Policy policy) {
      PolicyView view = policy.view();
      return new PolicyDescriptor(policy.source(), policy.digest(), policy.loadedAt(), policy.description(),
          view.defaultAllow() ? "allow" : "deny", view.entries().stream().map(Tool::of).toList());
    }
  }

  /**
   * One tool entry.
   *
   * @param key the tool name or glob
   * @param pointer where it is in the policy
   * @param action {@code allow}, {@code deny} or {@code require_approval}
   * @param limits its limits
   */
  public record Tool(String key, String pointer, String action, List<Limit> limits) {
    static Tool of(PolicyView.Entry e) {
      return new Tool(e.key(), e.pointer(), e.action().name().toLowerCase(Locale.ROOT), e.limits().stream().map(Limit::of).toList());
    }
  }

  /**
   * One limit.
   *
   * @param counter the counter's name
   * @param max the most a window admits
   * @param window the window, ISO-8601 ({@code PT1M})
   * @param scope {@code global}, {@code grant}, {@code session} or an argument path
   * @param algorithm {@code fixed} or {@code sliding}
   */
  public record Limit(String counter, double max, String window, String scope, String algorithm) {
    static Limit of(PolicyView.Limit l) {
      return new Limit(l.counter(), l.maxMillionths() / 1_000_000.0, l.window().toString(), l.scope(),
          l.algorithm().name().toLowerCase(Locale.ROOT));
    }
  }
}
