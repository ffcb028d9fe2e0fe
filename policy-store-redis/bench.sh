#!/bin/sh
# JMH benchmark of decisions per second on the Redis counter store (not part of `mvn verify`).
# Usage: policy-store-redis/bench.sh [JMH options], e.g. -t 4 (client threads) or
#        JAVA_OPTS=-Dtoolgate.redis.uri=redis://127.0.0.1:6379 to use a running server.
# Defaults (in the class) are short, for a shared machine: 1 fork, 1x2s warm-up, 3x2s measured;
# JMH options given here override them.
set -e
cd "$(dirname "$0")/.."
mvn -B -q -ntp test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test -pl policy-store-redis -am
CP="policy-store-redis/target/test-classes:policy-store-redis/target/classes:$(cat policy-store-redis/target/bench.classpath)"
if [ -n "$JAVA_OPTS" ]; then set -- -jvmArgsAppend "$JAVA_OPTS" "$@"; fi
exec java $JAVA_OPTS -cp "$CP" org.openjdk.jmh.Main RedisStoreBenchmark "$@"
