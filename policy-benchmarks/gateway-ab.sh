#!/usr/bin/env bash
# Two builds of the gateway side by side under the same load (GatewayAB): build A is a
# policy-gateway jar or classes directory given here (a copy of target/lib/policy-gateway-*.jar
# from an earlier build, say), build B the one built now from this tree. About a minute at 10 s.
#
#   policy-benchmarks/gateway-ab.sh <build A: jar or classes dir> [seconds per row, default 10]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
[[ $# -ge 1 ]] || { echo "usage: $0 <build A: policy-gateway jar or classes dir> [seconds per row]" >&2; exit 2; }
a="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
seconds="${2:-10}"
echo "== build"
(cd "$root" && mvn -B -ntp -q -pl policy-benchmarks -am package -DskipTests)
b="$(ls "$here"/target/lib/policy-gateway-*.jar)"
cp="$here/target/classes:$(ls "$here"/target/lib/*.jar | grep -v '/policy-gateway-' | tr '\n' ':')"
echo "== A: $a; B: $b; load: $(uptime)"
java -Xms512m -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  io.toolgate.benchmarks.gateway.GatewayAB "$seconds" "$a" "$b"
echo "== load after: $(uptime)"
