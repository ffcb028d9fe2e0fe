/** The contract test bases run against every built-in implementation. */
package io.toolgate.testkit.contract;
