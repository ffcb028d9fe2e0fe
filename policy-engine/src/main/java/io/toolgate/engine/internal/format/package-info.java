/**
 * The JSON Schema {@code format} checks of argument schemas, in place of Everit's built-in ones:
 * each decides in time linear in the value (RE2/J or a plain scan, never a backtracking regex) and
 * refuses a value longer than its format allows before reading it.
 */
package io.toolgate.engine.internal.format;
