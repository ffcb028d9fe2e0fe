#!/usr/bin/env bash
# The gateway's cost per tool call (issue 14): GatewayBenchmark (JMH: the MCP SDK's client calling
# a trivial tool of an SDK server directly and through the gateway, streamable HTTP and stdio, 1 and
# 8 threads, throughput and sample-time percentiles; about 5 minutes), then GatewayOverhead (the
# added latency in interleaved pairs after 30,000 warm-up calls, about 4 minutes). Writes target/run/gateway-jmh.{txt,json} and
# target/run/gateway-overhead.md; the "Gateway" section of RESULTS.md quotes them (run.sh keeps it).
#
#   policy-benchmarks/gateway.sh [seconds per GatewayOverhead row, default 10] [-- <extra JMH arguments>]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
seconds=10
if [[ $# -gt 0 && "$1" != "--" ]]; then seconds="$1"; shift; fi
[[ $# -gt 0 && "$1" == "--" ]] && shift
echo "== build"
(cd "$root" && mvn -B -ntp -q -pl policy-benchmarks -am package -DskipTests)
out="$here/target/run"
mkdir -p "$out"
cp="$here/target/classes:$here/target/lib/*"
echo "== load before: $(uptime)" | tee "$out/gateway-load.txt"
java -Xms512m -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" org.openjdk.jmh.Main GatewayBenchmark -rf json -rff "$out/gateway-jmh.json" "$@" \
  | tee "$out/gateway-jmh.txt"
echo "== GatewayOverhead ($seconds s per row)"
java -Xms512m -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  io.toolgate.benchmarks.gateway.GatewayOverhead "$seconds" | tee "$out/gateway-overhead.md"
echo "== load after: $(uptime)" | tee -a "$out/gateway-load.txt"
