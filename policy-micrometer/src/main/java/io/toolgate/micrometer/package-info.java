/**
 * Toolgate's calls as Micrometer metrics: {@link io.toolgate.micrometer.ToolgateMetrics}, an
 * observer for {@code PolicyEngine.builder(policy).observe(metrics)}.
 */
package io.toolgate.micrometer;
