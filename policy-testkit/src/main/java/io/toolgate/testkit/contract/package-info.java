/**
 * Contract test bases for the SPIs: extend one with a JUnit 5 test class, give it your
 * implementation, and it is checked against the cases the built-in implementations pass.
 */
package io.toolgate.testkit.contract;
