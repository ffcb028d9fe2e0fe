/**
 * JUnit 5 contract suites that every implementation of a Toolgate SPI must pass: extend
 * {@link io.toolgate.testkit.contract.CounterStoreContract} with a factory for your store.
 */
package io.toolgate.testkit.contract;
