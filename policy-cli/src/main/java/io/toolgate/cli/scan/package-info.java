/**
 * {@code toolgate scan}: lists an MCP server's tools with the SDK's client, classes each one
 * ({@link io.toolgate.cli.scan.RiskClassifier}), writes a first policy ({@link
 * io.toolgate.cli.scan.ScanPolicyWriter}) and reports drift between a policy and the server
 * ({@link io.toolgate.cli.scan.Drift}).
 */
package io.toolgate.cli.scan;
