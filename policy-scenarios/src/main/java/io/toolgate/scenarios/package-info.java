/**
 * Scenario files run with no test framework: {@link io.toolgate.scenarios.ScenarioRunner} runs a
 * policy, a {@link io.toolgate.scenarios.TestClock} and steps against a fresh engine, and
 * {@link io.toolgate.scenarios.Coverage} records which rules decided calls. The testkit's JUnit
 * adapter and the CLI's {@code test} command are both built on it.
 */
package io.toolgate.scenarios;
