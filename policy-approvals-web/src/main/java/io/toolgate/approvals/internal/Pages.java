package io.toolgate.approvals.internal;

import static io.toolgate.approvals.internal.Html.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.toolgate.engine.approval.ApprovalAnswer;
import io.toolgate.engine.approval.PendingApproval;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The inbox's HTML pages. Every value that came from an agent or a person is escaped with {@link Html#text}. */
public final class Pages {
  private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Shown on a pending call whose text holds invisible or bidi characters. */
  public static final String INVISIBLE_WARNING =
      "This call contains invisible or bidi characters (shown as \\uXXXX escapes): what you read may not be what will run.";

  private Pages() {}

  /** The login form; {@code error} (may be {@code null}) shown above it. */
  public static String login(String mount, String error) {
    StringBuilder b = head(mount, "Toolgate approvals: sign in");
    b.append("<main><h1>Toolgate approvals</h1>");
    if (error != null) {
      b.append("<p class=\"flash error\" role=\"alert\">").append(text(error)).append("</p>");
    }
    b.append("<form method=\"post\" action=\"").append(text(mount)).append("/login\" class=\"card\">")
        .append("<label for=\"token\">Approver token</label>")
        .append("<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required autofocus>")
        .append("<button type=\"submit\">Sign in</button></form></main></body></html>");
    return b.toString();
  }

  /** The inbox: pending calls with approve / reject forms, then the recent answers. */
  public static String inbox(String mount, String approver, String csrf, String flash,
      List<PendingApproval> pending, List<ApprovalAnswer> history, Instant now) {
    StringBuilder b = head(mount, "Toolgate approvals (" + pending.size() + " pending)");
    b.append("<header><h1>Approvals</h1><form method=\"post\" action=\"").append(text(mount))
        .append("/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"").append(text(csrf))
        .append("\"><span>Signed in as <strong>").append(text(approver))
        .append("</strong></span> <button type=\"submit\" class=\"secondary\">Sign out</button></form></header><main>");
    if (flash != null) {
      b.append("<p class=\"flash\" role=\"status\" id=\"flash\">").append(text(flash)).append("</p>");
    }
    b.append("<section aria-labelledby=\"pending-title\"><h2 id=\"pending-title\">Pending <span id=\"pending-count\">")
        .append(pending.size()).append("</span></h2>");
    if (pending.isEmpty()) {
      b.append("<p class=\"empty\">Nothing is waiting for an answer.</p>");
    }
    for (PendingApproval p : pending) {
      pendingCard(b, mount, csrf, p, now);
    }
    b.append("</section><section aria-labelledby=\"history-title\"><h2 id=\"history-title\">Answered</h2>");
    if (history.isEmpty()) {
      b.append("<p class=\"empty\">No answers yet.</p>");
    } else {
      b.append("<div class=\"scroll\"><table><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Verdict</th>")
          .append("<th scope=\"col\">Tool</th><th scope=\"col\">Caller</th><th scope=\"col\">Approver</th>")
          .append("<th scope=\"col\">Comment</th><th scope=\"col\">Digest</th></tr></thead><tbody>");
      for (ApprovalAnswer a : history) {
        b.append("<tr><td><time datetime=\"").append(a.answeredAt()).append("\">").append(a.answeredAt())
            .append("</time></td><td class=\"verdict ").append(a.verdict().name().toLowerCase())
            .append("\">").append(a.verdict()).append("</td><td>").append(text(Views.cut(a.request().call().tool())))
            .append("</td><td>").append(text(Views.cut(a.request().context().principal()))).append("</td><td>")
            .append(text(a.approver())).append("</td><td>").append(text(a.comment()))
            .append("</td><td><code>").append(text(a.argsDigest())).append("</code></td></tr>");
      }
      b.append("</tbody></table></div>");
    }
    b.append("</section></main><script src=\"").append(text(mount))
        .append("/static/inbox.js\" defer></script></body></html>");
    return b.toString();
  }

  private static void pendingCard(StringBuilder b, String mount, String csrf, PendingApproval p, Instant now) {
    var r = p.request();
    String id = text(p.id());
    String tool = Views.cut(r.call().tool());
    String principal = Views.cut(r.context().principal());
    String session = Views.cut(r.context().sessionId());
    String reason = Views.cut(r.reason());
    String arguments = json(Views.redactedArguments(r));
    boolean invisible = Html.hasInvisible(tool) || Html.hasInvisible(principal) || Html.hasInvisible(session)
        || Html.hasInvisible(r.rule()) || Html.hasInvisible(reason) || Html.hasInvisible(arguments);
    b.append("<article class=\"card pending").append(invisible ? " invisible-chars" : "").append("\" data-id=\"")
        .append(id).append("\" aria-labelledby=\"t-").append(id)
        .append("\"><h3 id=\"t-").append(id).append("\"><code>").append(text(tool))
        .append("</code></h3>");
    if (invisible) {
      // Html.text shows each such character as its \\uXXXX escape; say so, since the text an agent
      // sent otherwise reads as something other than what will run.
      b.append("<p class=\"flash error invisible\" role=\"alert\">").append(INVISIBLE_WARNING).append("</p>");
    }
    b.append("<dl>")
        .append("<dt>Caller</dt><dd class=\"principal\">").append(text(principal)).append("</dd>")
        .append("<dt>Session</dt><dd>").append(text(session)).append("</dd>")
        .append("<dt>Policy entry</dt><dd><code class=\"rule\">").append(text(r.rule())).append("</code></dd>")
        .append("<dt>Reason</dt><dd class=\"reason\">").append(text(reason)).append("</dd>")
        .append("<dt>Waiting</dt><dd>").append(duration(Duration.between(p.requestedAt(), now)))
        .append("</dd><dt>Expires in</dt><dd>").append(duration(Duration.between(now, p.expiresAt())))
        .append("</dd></dl><h4>Arguments (secrets redacted)</h4><pre class=\"arguments\">")
        .append(text(arguments)).append("</pre>")
        .append("<form method=\"post\" action=\"").append(text(mount)).append("/answer\">")
        .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(text(csrf)).append("\">")
        .append("<input type=\"hidden\" name=\"id\" value=\"").append(id).append("\">")
        .append("<label for=\"c-").append(id).append("\">Comment (optional)</label>")
        .append("<textarea id=\"c-").append(id).append("\" name=\"comment\" rows=\"2\" maxlength=\"2000\"></textarea>")
        .append("<div class=\"actions\"><button type=\"submit\" name=\"verdict\" value=\"approve\" class=\"approve\">Approve</button>")
        .append("<button type=\"submit\" name=\"verdict\" value=\"reject\" class=\"reject\">Reject</button></div></form></article>");
  }

  private static StringBuilder head(String mount, String title) {
    return new StringBuilder(4096).append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>").append(text(title))
        .append("</title><link rel=\"stylesheet\" href=\"").append(text(mount)).append("/static/inbox.css\"></head><body>");
  }

  private static String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return s < 60 ? s + " s" : s < 3600 ? (s / 60) + " min " + (s % 60) + " s" : (s / 3600) + " h " + (s % 3600 / 60) + " min";
  }

  private static String json(Object node) {
    try {
      return PRETTY.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
