package io.toolgate.benchmarks;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.Context;
import com.cedarpolicy.model.entity.Entities;
import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.model.policy.PolicySet;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import io.toolgate.api.CallContext;
import io.toolgate.api.Decision;
import io.toolgate.api.ToolCall;
import io.toolgate.engine.PolicyEngine;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.casbin.jcasbin.main.Enforcer;
import org.casbin.jcasbin.model.Model;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One policy decision, no counters: may alice, who has the role analyst, call the tool
 * read_report? The same rule in each engine:
 *
 * <ul>
 *   <li>Toolgate: a grant for the role {@code analyst} allowing {@code read_report}, default deny;
 *       the caller's context carries the role;
 *   <li>jCasbin: the RBAC model ({@code g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act}),
 *       {@code p, analyst, read_report, call} and {@code g, alice, analyst}; a plain {@code
 *       Enforcer} (a {@code CachedEnforcer} would memoise the answer per request, which skips the
 *       work being compared);
 *   <li>Cedar (cedar-java, its native library from the Maven Central "uber" jar): {@code
 *       permit(principal in Role::"analyst", action == Action::"call", resource ==
 *       Tool::"read_report");}, the policy set cached on the native side ({@code
 *       PolicySet.cache()}), alice's entity with the role as parent passed per request as the
 *       API requires.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyDecisionBenchmark {
  static final String POLICY =
      "{\"version\":\"1\",\"default\":\"deny\",\"grants\":{\"analyst\":{\"tools\":{\"read_report\":{}}}}}";

  static final String CASBIN_MODEL =
      "[request_definition]\nr = sub, obj, act\n"
          + "[policy_definition]\np = sub, obj, act\n"
          + "[role_definition]\ng = _, _\n"
          + "[policy_effect]\ne = some(where (p.eft == allow))\n"
          + "[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act\n";

  static final String CEDAR_POLICY =
      "permit(principal in Role::\"analyst\", action == Action::\"call\", resource == Tool::\"read_report\");";

  private PolicyEngine engine;
  private final ToolCall call = ToolCall.of("read_report");
  private final CallContext context = CallContext.of("alice").withRoles("analyst");
  private Enforcer casbin;
  private BasicAuthorizationEngine cedar;
  private PolicySet cedarPolicies;
  private AuthorizationRequest cedarRequest;
  private Entities cedarEntities;

  @Setup
  public void setUp() throws Exception {
    engine = PolicyEngine.of(Policies.parse(POLICY));
    Checks.allowed(engine.evaluate(call, context));
    Checks.isTrue(!engine.evaluate(call, CallContext.of("bob")).isAllowed(), "toolgate denies bob");

    casbin = new Enforcer(Model.newModelFromString(CASBIN_MODEL));
    casbin.enableLog(false);
    casbin.addPolicy("analyst", "read_report", "call");
    casbin.addGroupingPolicy("alice", "analyst");
    Checks.isTrue(casbin.enforce("alice", "read_report", "call"), "casbin allows alice");
    Checks.isTrue(!casbin.enforce("bob", "read_report", "call"), "casbin denies bob");

    cedar = new BasicAuthorizationEngine();
    cedarPolicies = PolicySet.parsePolicies(CEDAR_POLICY);
    cedarPolicies.cache();
    EntityUID alice = new EntityUID(EntityTypeName.parse("User").orElseThrow(), "alice");
    EntityUID analyst = new EntityUID(EntityTypeName.parse("Role").orElseThrow(), "analyst");
    EntityUID action = new EntityUID(EntityTypeName.parse("Action").orElseThrow(), "call");
    EntityUID tool = new EntityUID(EntityTypeName.parse("Tool").orElseThrow(), "read_report");
    cedarEntities = new Entities(Set.of(new Entity(alice, Set.of(analyst)), new Entity(analyst)));
    cedarRequest = new AuthorizationRequest(alice, action, tool, new Context(Map.of()));
    Checks.isTrue(cedarAllows(), "cedar allows alice");
  }

  @Benchmark
  public Decision toolgate() {
    return engine.evaluate(call, context);
  }

  @Benchmark
  public boolean jcasbin() {
    return casbin.enforce("alice", "read_report", "call");
  }

  @Benchmark
  public boolean cedar() throws Exception {
    return cedarAllows();
  }

  private boolean cedarAllows() throws Exception {
    AuthorizationResponse response = cedar.isAuthorized(cedarRequest, cedarPolicies, cedarEntities);
    return response.success.map(s -> s.isAllowed()).orElse(false);
  }
}
