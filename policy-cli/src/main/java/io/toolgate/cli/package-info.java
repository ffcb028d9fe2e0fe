/**
 * The {@code toolgate} command line ({@code toolgate.jar}, picocli): {@code validate}, {@code
 * test}, {@code explain}, {@code scan} (with {@code io.toolgate.cli.scan}), {@code help}, {@code generate-completion}. Scenario runs go through
 * {@code io.toolgate.scenarios}, so the jar carries no test framework.
 */
package io.toolgate.cli;
