package io.toolgate.examples.spring;

import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;

/**
 * Every request needs a bearer token ({@link BearerTokenFilter}); without one it is answered
 * {@code 401} before it reaches the MCP server. The authenticated name is the principal the
 * policy's limits count.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

  @Bean
  SecurityFilterChain security(HttpSecurity http, BearerTokenProperties tokens) throws Exception {
    return http.authorizeHttpRequests(requests ->
            requests
                // The streamable-HTTP transport answers on async dispatches of an authenticated request.
                .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR)
                .permitAll()
                .anyRequest()
                .authenticated())
        .csrf(csrf -> csrf.disable())
        .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .addFilterBefore(new BearerTokenFilter(tokens), AuthorizationFilter.class)
        .exceptionHandling(e -> e.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)))
        .build();
  }
}
