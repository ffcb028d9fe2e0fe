/**
 * Property-based testing with QuickTheories: generators of calls, contexts and schema-valid
 * arguments ({@link io.toolgate.testkit.properties.ToolgateGenerators},
 * {@link io.toolgate.testkit.properties.SchemaArguments}) and ready-made properties every policy
 * should have ({@link io.toolgate.testkit.properties.PolicyProperties}).
 */
package io.toolgate.testkit.properties;
