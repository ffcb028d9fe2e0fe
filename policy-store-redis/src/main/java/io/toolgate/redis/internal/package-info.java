/**
 * The Redis store's parts, not an API: key names, the Lua scripts and their arguments, the script
 * runner, the connection setup and the background retry queue.
 */
package io.toolgate.redis.internal;
