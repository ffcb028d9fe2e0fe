/**
 * Policy text to the validated model: parsing JSON or YAML with source positions, the document
 * schema, every check of DESIGN.md with located problems, and the size and safety bounds on
 * hostile policies.
 */
package io.toolgate.engine.internal.load;
