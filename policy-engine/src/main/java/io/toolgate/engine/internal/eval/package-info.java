/**
 * The decision procedure: the compiled policy (a plan per tool and grants), the {@link
 * io.toolgate.engine.internal.eval.Evaluator} that walks DESIGN.md section 3 in one path for
 * {@code evaluate} and {@code explain}, condition operators, and the reason texts.
 */
package io.toolgate.engine.internal.eval;
