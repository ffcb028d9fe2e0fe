package io.toolgate.spring.autoconfigure.actuator;

import io.toolgate.api.AgentText;
import io.toolgate.api.ApprovalService;
import io.toolgate.engine.Policy;
import io.toolgate.engine.PolicyEngine;
import io.toolgate.engine.PolicyView;
import io.toolgate.engine.approval.ApprovalQueue;
import io.toolgate.engine.approval.PendingApproval;
import io.toolgate.spring.autoconfigure.ToolgateConfigurationException;
import io.toolgate.spring.autoconfigure.ToolgatePolicySource;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The {@code toolgate} actuator endpoint:
 *
 * <ul>
 *   <li>{@code GET /actuator/toolgate}: the policy in force (source, digest, load time, tools and
 *       their limits) and, to an approver only, the approvals pending (an empty list to others);
 *   <li>{@code POST /actuator/toolgate}: reloads the policy from {@code toolgate.policy}; a policy
 *       that fails to load is not put in force, and the answer lists its problems;
 *   <li>{@code POST /actuator/toolgate/{id}/approve} and {@code POST /actuator/toolgate/{id}/reject}
 *       (optional body {@code {"reason": "..."}}): answers a pending approval, as the approver the
 *       {@link ActuatorApprover} names for the request's authenticated principal; a caller it does
 *       not name, and an approver answering their own call (four eyes), get status 403 and change
 *       nothing; when the queue fails (Redis down, say), status 503.
 * </ul>
 *
 * <p>Approvals are answered when the engine's approval service is an {@link ApprovalQueue} (the
 * in-memory queue or the Redis one).
 */
@Endpoint(id = "toolgate")
public class ToolgateEndpoint {
  /** The longest reason kept from a rejection, in characters. */
  public static final int MAX_REASON_CHARS = 500;

  private static final int FORBIDDEN = 403;
  private static final int UNAVAILABLE = 503;
  private static final String QUEUE_FAILED = "the approval queue failed: ";
  private static final Logger LOG = LoggerFactory.getLogger(ToolgateEndpoint.class);

  private final PolicyEngine engine;
  private final ToolgatePolicySource source;
  private final @Nullable ApprovalService approvals;
  private final ActuatorApprover approvers;

  /**
   * An endpoint over {@code engine}, reloading from {@code source}, answering {@code approvals} for
   * the callers {@code approvers} names.
   */
  public ToolgateEndpoint(PolicyEngine engine, ToolgatePolicySource source, @Nullable ApprovalService approvals,
      ActuatorApprover approvers) {
    this.engine = engine;
    this.source = source;
    this.approvals = approvals;
    this.approvers = approvers;
  }

  /**
   * The policy in force and, if the caller is an approver, the approvals pending; if the queue
   * fails (Redis down, say), no approvals and the failure in {@link Status#approvalsError()}.
   */
  @ReadOperation
  public Status status(@Nullable Principal principal) {
    boolean approver = approvers.approver(principal) != null;
    List<Pending> pending = List.of();
    String failure = null;
    if (approver && approvals instanceof ApprovalQueue queue) {
      try {
        pending = queue.pending().stream().map(Pending::of).toList();
      } catch (RuntimeException e) {
        LOG.warn("toolgate endpoint: could not list the pending approvals", e);
        failure = QUEUE_FAILED + AgentText.excerpt(String.valueOf(e.getMessage()));
      }
    }
    return new Status(PolicyDescriptor.of(engine.policy()), pending, approver, failure);
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
   * Approves or rejects the pending approval {@code id}: status 200 when answered or when there is
   * nothing to answer ({@code done} false), 403 when the caller is not an approver or the call is
   * their own.
   *
   * @param answer {@code approve} or {@code reject}
   * @param reason for a rejection, shown to the agent; at most {@value #MAX_REASON_CHARS} characters kept
   * @param principal the authenticated caller
   */
  @WriteOperation
  public WebEndpointResponse<Answer> answer(@Selector String id, @Selector String answer, @Nullable String reason,
      @Nullable Principal principal) {
    boolean approve = switch (answer.toLowerCase(Locale.ROOT)) {
      case "approve" -> true;
      case "reject" -> false;
      default -> throw new InvalidEndpointRequestException(
          "answer must be approve or reject", "answer must be approve or reject, not " + AgentText.excerpt(answer));
    };
    String shownId = AgentText.excerpt(id);
    String approver = approvers.approver(principal);
    if (approver == null) {
      return new WebEndpointResponse<>(new Answer(shownId, false, null,
          "not an approver: answering approvals here needs toolgate.actuator.approver-authority"), FORBIDDEN);
    }
    if (!(approvals instanceof ApprovalQueue queue)) {
      return new WebEndpointResponse<>(new Answer(shownId, false, approver,
          "the approval service is not an ApprovalQueue (not the in-memory queue or the Redis one); answer it where it lives"));
    }
    ApprovalQueue.AnswerResult result;
    try {
      result = queue.answer(id, approve ? ApprovalQueue.Verdict.APPROVED : ApprovalQueue.Verdict.REJECTED,
          approver, approve || reason == null ? null : AgentText.excerpt(reason, MAX_REASON_CHARS));
    } catch (RuntimeException e) {
      LOG.warn("toolgate endpoint: could not answer approval {}", shownId, e);
      return new WebEndpointResponse<>(new Answer(shownId, false, approver, QUEUE_FAILED
          + AgentText.excerpt(String.valueOf(e.getMessage())) + "; the answer may not be recorded: list again"), UNAVAILABLE);
    }
    return switch (result) {
      case ANSWERED -> new WebEndpointResponse<>(new Answer(shownId, true, approver, approve ? "approved" : "rejected"));
      case OWN_CALL -> new WebEndpointResponse<>(new Answer(shownId, false, approver,
          "an approver cannot approve their own call (four eyes)"), FORBIDDEN);
      case UNKNOWN, ALREADY_ANSWERED -> new WebEndpointResponse<>(new Answer(shownId, false, approver,
          "no pending approval with this id (unknown, expired or already answered)"));
    };
  }

  /**
   * What {@code GET} answers.
   *
   * @param policy the policy in force
   * @param pendingApprovals the approvals no one has answered, oldest first; empty unless the caller is an approver
   * @param approver whether the caller may see and answer approvals here
   * @param approvalsError why the approvals could not be listed (the queue failed), or {@code null}
   */
  public record Status(PolicyDescriptor policy, List<Pending> pendingApprovals, boolean approver,
      @Nullable String approvalsError) {
    /** A status whose approvals were listed. */
    public Status(PolicyDescriptor policy, List<Pending> pendingApprovals, boolean approver) {
      this(policy, pendingApprovals, approver, null);
    }
  }

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
   * @param approver who answered, or {@code null} when the caller is not an approver
   * @param message what happened
   */
  public record Answer(String id, boolean done, @Nullable String approver, String message) {}

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
