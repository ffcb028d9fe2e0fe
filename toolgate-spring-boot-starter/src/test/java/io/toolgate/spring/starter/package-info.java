/** Tests of the starter: what it puts on a Spring AI application's classpath. */
package io.toolgate.spring.starter;
