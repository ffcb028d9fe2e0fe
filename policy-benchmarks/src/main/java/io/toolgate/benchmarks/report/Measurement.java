package io.toolgate.benchmarks.report;

/**
 * One JMH result: which row of the table it belongs to, which implementation (table column) it
 * measured, and its score with the error JMH reports (99.9% confidence interval half-width).
 *
 * @param row the row id: benchmark class without {@code Benchmark}, then {@code /variant} when
 *     the method is named {@code impl_variant}, then {@code [param=value,...]} when it has
 *     parameters
 * @param impl the implementation, the method name up to its first underscore
 * @param score the score
 * @param error the score's error, {@code NaN} when JMH could not compute one
 * @param unit the score's unit, for example {@code ns/op}
 */
public record Measurement(String row, String impl, double score, double error, String unit) {}
