/** How {@link io.toolgate.micrometer.ToolgateMetrics} finds its meters per call: not API. */
package io.toolgate.micrometer.internal;
