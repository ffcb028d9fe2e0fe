package io.toolgate.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The boundaries between Toolgate's modules, checked on their main classes (tests excluded). Each
 * module has its own package root, so a module is its packages.
 */
class ArchitectureTest {
  private static JavaClasses toolgate;

  @BeforeAll
  static void importClasses() {
    toolgate = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.toolgate");
  }

  /** Every module's main classes are there to be checked, so that no rule holds vacuously. */
  @Test
  void everyModuleIsImported() {
    for (String root : new String[] {"api", "engine", "engine.internal", "scenarios", "testkit", "mcp", "redis", "cli",
        "benchmarks", "examples", "opentelemetry", "micrometer", "gateway", "spring", "approvals"}) {
      org.assertj.core.api.Assertions.assertThat(toolgate.stream().anyMatch(c -> c.getPackageName().startsWith("io.toolgate." + root)))
          .as("classes in io.toolgate." + root).isTrue();
    }
  }

  /** Only the engine itself sees {@code io.toolgate.engine.internal}; other modules use its public API. */
  @Test
  void nothingOutsideTheEngineUsesItsInternals() {
    ArchRule rule = noClasses().that().resideOutsideOfPackage("io.toolgate.engine..")
        .should().dependOnClassesThat().resideInAPackage("io.toolgate.engine.internal..")
        .because("io.toolgate.engine.internal is the engine's own; other modules use Policy, PolicyView and the engine's public API");
    rule.check(toolgate);
  }

  /** The api is the SPI every module shares: Java and Jackson only. */
  @Test
  void theApiDependsOnJavaAndJacksonOnly() {
    ArchRule rule = classes().that().resideInAPackage("io.toolgate.api..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("io.toolgate.api..", "java..", "com.fasterxml.jackson..")
        .because("policy-api is the contract between modules and stores: it must not pull in the engine or a library");
    rule.check(toolgate);
  }

  /**
   * OpenTelemetry stays in its module: the engine and the MCP adapter reach it only through the
   * {@code CallObserver} SPI and the call's {@code CallEnvelope}, so neither needs it on the class path.
   */
  @Test
  void onlyTheOpenTelemetryModuleUsesOpenTelemetry() {
    ArchRule rule = noClasses()
        .that().resideOutsideOfPackages(
            "io.toolgate.opentelemetry..", "io.toolgate.benchmarks..", "io.toolgate.examples..", "io.toolgate.spring..")
        .should().dependOnClassesThat().resideInAPackage("io.opentelemetry..")
        .because("policy-engine and policy-mcp must not depend on OpenTelemetry: observers plug in through the api");
    rule.check(toolgate);
  }

  /** Micrometer stays in its module, as OpenTelemetry does: the engine never needs it on the class path. */
  @Test
  void onlyTheMicrometerModuleUsesMicrometer() {
    ArchRule rule = noClasses()
        .that().resideOutsideOfPackages(
            "io.toolgate.micrometer..", "io.toolgate.benchmarks..", "io.toolgate.examples..", "io.toolgate.gateway..",
            "io.toolgate.spring..")
        .should().dependOnClassesThat().resideInAPackage("io.micrometer..")
        .because("policy-engine must not depend on Micrometer: observers plug in through the api");
    rule.check(toolgate);
  }

  /**
   * Spring stays in the Spring Boot modules: the engine and every other module work without it,
   * and only the auto-configuration ({@code io.toolgate.spring..}) and examples of it depend on Spring.
   */
  @Test
  void onlyTheSpringBootModulesUseSpring() {
    ArchRule rule = noClasses()
        .that().resideOutsideOfPackages("io.toolgate.spring..", "io.toolgate.examples..")
        .should().dependOnClassesThat().resideInAPackage("org.springframework..")
        .because("Toolgate is a plain Java library; Spring Boot support is an add-on in toolgate-spring-boot-autoconfigure");
    rule.check(toolgate);
  }

  /** The module arrows: api &lt;- engine &lt;- scenarios &lt;- testkit, cli; mcp, redis, approvals, gateway, spring, benchmarks, examples on top; none back (the
   * benchmarks measure the gateway and the MCP adapter). */
  @Test
  void moduleArrowsPointOneWay() {
    ArchRule rule = layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("api").definedBy("io.toolgate.api..")
        .layer("engine").definedBy("io.toolgate.engine..")
        .layer("scenarios").definedBy("io.toolgate.scenarios..")
        .layer("testkit").definedBy("io.toolgate.testkit..")
        .layer("mcp").definedBy("io.toolgate.mcp..")
        .layer("redis").definedBy("io.toolgate.redis..")
        .layer("cli").definedBy("io.toolgate.cli..")
        .layer("benchmarks").definedBy("io.toolgate.benchmarks..")
        .layer("examples").definedBy("io.toolgate.examples..")
        .layer("opentelemetry").definedBy("io.toolgate.opentelemetry..")
        .layer("micrometer").definedBy("io.toolgate.micrometer..")
        .layer("gateway").definedBy("io.toolgate.gateway..")
        .layer("spring").definedBy("io.toolgate.spring..")
        .layer("approvals").definedBy("io.toolgate.approvals..")
        .whereLayer("api").mayNotAccessAnyLayer()
        .whereLayer("engine").mayOnlyAccessLayers("api")
        .whereLayer("scenarios").mayOnlyAccessLayers("api", "engine")
        .whereLayer("testkit").mayOnlyAccessLayers("api", "engine", "scenarios")
        .whereLayer("cli").mayOnlyAccessLayers("api", "engine", "scenarios")
        .whereLayer("mcp").mayOnlyAccessLayers("api", "engine")
        .whereLayer("redis").mayOnlyAccessLayers("api", "engine")
        .whereLayer("benchmarks").mayOnlyAccessLayers("api", "engine", "mcp", "opentelemetry", "micrometer", "gateway")
        .whereLayer("examples").mayOnlyAccessLayers("api", "engine", "mcp", "opentelemetry", "micrometer", "approvals")
        .whereLayer("opentelemetry").mayOnlyAccessLayers("api", "engine")
        .whereLayer("micrometer").mayOnlyAccessLayers("api", "engine")
        .whereLayer("gateway").mayOnlyAccessLayers("api", "engine", "mcp", "redis", "micrometer", "approvals")
        .whereLayer("spring").mayOnlyAccessLayers("api", "engine", "mcp", "redis", "micrometer", "opentelemetry", "approvals")
        .whereLayer("approvals").mayOnlyAccessLayers("api", "engine")
        .whereLayer("testkit").mayNotBeAccessedByAnyLayer()
        .whereLayer("cli").mayNotBeAccessedByAnyLayer()
        .whereLayer("benchmarks").mayNotBeAccessedByAnyLayer()
        .whereLayer("examples").mayNotBeAccessedByAnyLayer()
        .whereLayer("gateway").mayOnlyBeAccessedByLayers("benchmarks")
        .whereLayer("spring").mayNotBeAccessedByAnyLayer();
    rule.check(toolgate);
  }
}
