/**
 * Unit tests for policies: {@link io.toolgate.testkit.PolicyTester} (a real engine on a test
 * clock), the AssertJ entry point {@link io.toolgate.testkit.ToolgateAssertions} and its
 * assertions, and {@link io.toolgate.testkit.PolicyCoverage} (a JUnit 5 extension reporting which
 * rules decided a call). Scenario files, properties and contract suites live in the subpackages.
 */
package io.toolgate.testkit;
