/** Internals of the Spring AI integration: not an API, may change in any release. */
package io.toolgate.spring.ai.internal;
