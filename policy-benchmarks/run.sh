#!/usr/bin/env bash
# Builds the benchmarks, runs the JMH suite and the memory measurement, and writes
# policy-benchmarks/RESULTS.md and policy-benchmarks/results.png.
#
#   policy-benchmarks/run.sh            full run: 3 forks x 5 iterations of 1 s (~25 min on 2 cores);
#                                       the policy-size rows run apart, with 4 forks
#   policy-benchmarks/run.sh --quick    1 fork, 3 s warm-up, 3 iterations of 0.5 s (< 5 min on 2 cores)
#   policy-benchmarks/run.sh [--quick] -- <extra JMH arguments, e.g. a benchmark regex or -prof gc>
#   (GatewayBenchmark runs only when named; policy-benchmarks/gateway.sh runs it, see RESULTS.md "Gateway")
#       (with extra arguments or JMH_ARGS the report goes to target/run/, not RESULTS.md)
#
# Environment: JMH_ARGS replaces the mode's JMH settings; RESULTS_NOTE is added to RESULTS.md's
# notes (say where and how the run was made); REDIS_JMH_JSON names the JSON result of a run of
# policy-store-redis/bench.sh (-rf json -rff <file>) to add its rows (Toolgate on Redis beside raw
# Lettuce, Bucket4j-Lettuce and Redisson) to the report.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
mode=full
jmh_extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) mode=quick; shift ;;
    --) shift; jmh_extra=("$@"); break ;;
    *) echo "usage: $0 [--quick] [-- <JMH arguments>]" >&2; exit 2 ;;
  esac
done

if [[ -n "${JMH_ARGS:-}" ]]; then
  read -r -a jmh_args <<< "$JMH_ARGS"
  memory_keys=20000
elif [[ $mode == quick ]]; then
  jmh_args=(-f 1 -wi 3 -w 1s -i 3 -r 500ms)
  memory_keys=20000
else
  jmh_args=(-f 3 -wi 5 -w 1s -i 5 -r 1s)
  # The policy-size rows compare figures a few per cent apart: more forks (PolicySizeBenchmark.FORKS).
  policy_size_args=(-f 4 -wi 5 -w 1s -i 5 -r 1s)
  memory_keys=100000
fi

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(uptime)
echo "== build"
(cd "$root" && mvn -B -ntp -q -pl policy-benchmarks -am package -DskipTests)

out="$here/target/run"
mkdir -p "$out"
cp=("$here/target/classes:$here/target/lib/*")
jvm=(-Xms1g -Xmx1g)

fork_jvm="-Xms1g -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
jmh_files="$out/jmh.json"
if [[ -n "${policy_size_args+set}" && ${#jmh_extra[@]} -eq 0 && -z "${JMH_ARGS:-}" ]]; then
  echo "== JMH (${jmh_args[*]}), all but the policy-size rows"
  java "${jvm[@]}" -cp "${cp[@]}" org.openjdk.jmh.Main "${jmh_args[@]}" -jvmArgs "$fork_jvm" \
    -rf json -rff "$out/jmh.json" -e PolicySize -e GatewayBenchmark | tee "$out/jmh.txt"
  echo "== JMH (${policy_size_args[*]}), the policy-size rows"
  java "${jvm[@]}" -cp "${cp[@]}" org.openjdk.jmh.Main "${policy_size_args[@]}" -jvmArgs "$fork_jvm" \
    -rf json -rff "$out/jmh-policy-size.json" PolicySize | tee -a "$out/jmh.txt"
  jmh_files="$jmh_files,$out/jmh-policy-size.json"
else
  echo "== JMH (${jmh_args[*]} ${jmh_extra[*]:-})"
  # The gateway rows (ms per call, a run of their own: gateway.sh) only when asked for by name.
  [[ ${#jmh_extra[@]} -eq 0 ]] && jmh_extra=(-e GatewayBenchmark)
  java "${jvm[@]}" -cp "${cp[@]}" org.openjdk.jmh.Main "${jmh_args[@]}" -jvmArgs "$fork_jvm" \
    -rf json -rff "$out/jmh.json" "${jmh_extra[@]}" | tee "$out/jmh.txt"
fi
if [[ -n "${REDIS_JMH_JSON:-}" ]]; then
  jmh_files="$jmh_files,$REDIS_JMH_JSON"
fi

echo "== memory per key ($memory_keys keys)"
java "${jvm[@]}" -Djdk.attach.allowAttachSelf=true -Djol.magicFieldOffset=true \
  -Dtoolgate.memory.keys="$memory_keys" -cp "${cp[@]}" \
  io.toolgate.benchmarks.MemoryFootprint "$out/memory.json" 2>"$out/memory.err" \
  || { cat "$out/memory.err" >&2; echo "memory measurement failed" >&2; exit 1; }

finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_after=$(uptime)
{
  flag=""; [[ $mode == quick ]] && flag=" --quick"
  echo "Run: \`policy-benchmarks/run.sh$flag\` (${mode} mode: JMH \`${jmh_args[*]}\`${policy_size_args+ (policy-size rows \`${policy_size_args[*]}\`)}, average time, \`-Xms1g -Xmx1g\`), from $started to $finished."
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(java -version 2>&1 | head -1)."
  echo
  echo "Load (\`uptime\`) before: \`$(echo "$load_before" | xargs)\`; after: \`$(echo "$load_after" | xargs)\`."
} > "$out/notes.md"
if [[ -n "${RESULTS_NOTE:-}" ]]; then
  { echo; echo "$RESULTS_NOTE"; } >> "$out/notes.md"
fi
if [[ -f "$here/NOTES.md" ]]; then
  { echo; cat "$here/NOTES.md"; } >> "$out/notes.md"
fi

# A run of a subset (extra JMH arguments) must not replace the published results.
report_dir="$here"
if [[ ${#jmh_extra[@]} -gt 0 || -n "${JMH_ARGS:-}" ]]; then
  report_dir="$out"
fi
echo "== report"
# The "Gateway" section (from gateway.sh, written by hand from its output) outlives a new report.
gateway_section="$out/gateway-section.md"
sed -n '/^## Gateway/,$p' "$here/RESULTS.md" > "$gateway_section" 2>/dev/null || : > "$gateway_section"
java -Djava.awt.headless=true -cp "${cp[@]}" io.toolgate.benchmarks.report.Report \
  "$jmh_files" "$out/memory.json" "$out/notes.md" "$report_dir/RESULTS.md" "$report_dir/results.png"
if [[ -s "$gateway_section" ]]; then
  { echo; cat "$gateway_section"; } >> "$report_dir/RESULTS.md"
fi
echo "wrote $report_dir/RESULTS.md and $report_dir/results.png"
