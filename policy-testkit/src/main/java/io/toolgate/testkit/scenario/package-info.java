/**
 * Scenario files as JUnit 5 dynamic tests: {@code Scenarios.in(dir).dynamicTests()}, on top of the
 * framework-free runner in {@code io.toolgate.scenarios}.
 */
package io.toolgate.testkit.scenario;
