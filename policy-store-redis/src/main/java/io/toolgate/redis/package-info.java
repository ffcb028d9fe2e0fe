/**
 * A {@link io.toolgate.api.CounterStore} on Redis (Lettuce), so that several instances of a
 * service enforce one limit: {@link io.toolgate.redis.RedisCounterStore}.
 */
package io.toolgate.redis;
