#!/bin/sh
# JMH benchmark of the time per decision on the Redis counter store, beside raw Lettuce EVALSHA,
# Bucket4j-Lettuce and Redisson on the same server in the same run (not part of `mvn verify`).
# Usage: policy-store-redis/bench.sh [JMH options], e.g. 'RedisStoreBenchmark.(toolgate|lettuce)$'
#        (a row subset) or JAVA_OPTS=-Dtoolgate.redis.uri=redis://127.0.0.1:6379 to use a running
#        server. For the benchmark report: bench.sh -rf json -rff /tmp/redis.json, then
#        REDIS_JMH_JSON=/tmp/redis.json policy-benchmarks/run.sh.
# Defaults (in the class) are short, for a shared machine: 1 fork, 1x2s warm-up, 3x2s measured;
# JMH options given here override them.
set -e
cd "$(dirname "$0")/.."
mvn -B -q -ntp test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test -pl policy-store-redis -am
CP="policy-store-redis/target/test-classes:policy-store-redis/target/classes:$(cat policy-store-redis/target/bench.classpath)"
if [ -n "$JAVA_OPTS" ]; then set -- -jvmArgsAppend "$JAVA_OPTS" "$@"; fi
exec java $JAVA_OPTS -cp "$CP" org.openjdk.jmh.Main RedisStoreBenchmark "$@"
