/** The starter in a reactive Spring AI MCP server (WebFlux) with reactive Spring Security. */
package io.toolgate.spring.webflux;
