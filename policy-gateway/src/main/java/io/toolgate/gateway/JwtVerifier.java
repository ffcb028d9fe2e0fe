package io.toolgate.gateway;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.toolgate.gateway.internal.Authenticator;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies OAuth 2.1 bearer JWTs as the MCP authorization spec asks of a resource server: the
 * signature against a JWKS (a URL, fetched and cached, or a file), {@code iss}, {@code aud} and
 * the expiry; the principal from {@code sub} (or another claim), the roles from a configured
 * claim (an array of strings, or one space-separated string such as {@code scope}). Uses
 * nimbus-jose-jwt: asymmetric algorithms only (RS, PS, ES, EdDSA), so a key can never be guessed
 * from the token.
 *
 * <pre>{@code
 * JwtVerifier jwt = JwtVerifier.builder("https://auth.example.com", "https://gateway.example.com/mcp")
 *     .jwksUrl(URI.create("https://auth.example.com/.well-known/jwks.json"))
 *     .rolesClaim("roles")
 *     .build();
 * }</pre>
 */
public final class JwtVerifier {
  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384,
      JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final String principalClaim;
  private final String rolesClaim;
  private final String issuer;

  private JwtVerifier(Builder b) {
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, b.keys));
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
        b.audience, new JWTClaimsSet.Builder().issuer(b.issuer).build(), Set.of("exp", b.principalClaim)));
    this.principalClaim = b.principalClaim;
    this.rolesClaim = b.rolesClaim;
    this.issuer = b.issuer;
  }

  /** A builder for tokens issued by {@code issuer} for {@code audience} (this gateway's resource URL). */
  public static Builder builder(String issuer, String audience) {
    return new Builder(issuer, audience);
  }

  /** The issuer tokens must name: the authorization server of the protected-resource metadata. */
  public String issuer() {
    return issuer;
  }

  Authenticator authenticator() {
    return authorization -> {
      String token = Authenticator.bearer(authorization);
      if (token == null) {
        return new Authenticator.Result.Refused(null, "no bearer token");
      }
      JWTClaimsSet claims;
      try {
        claims = processor.process(token, null);
      } catch (ParseException | com.nimbusds.jose.proc.BadJOSEException | com.nimbusds.jose.JOSEException e) {
        return new Authenticator.Result.Refused("invalid_token", "the token was not accepted");
      }
      Object principal = claims.getClaim(principalClaim);
      if (!(principal instanceof String id) || id.isEmpty()) {
        return new Authenticator.Result.Refused("invalid_token", "the token names no principal in " + principalClaim);
      }
      return new Authenticator.Result.Known(id, roles(claims));
    };
  }

  private Set<String> roles(JWTClaimsSet claims) {
    if (rolesClaim == null) {
      return Set.of();
    }
    Object value = claims.getClaim(rolesClaim);
    Set<String> roles = new LinkedHashSet<>();
    if (value instanceof String text) {
      roles.addAll(List.of(text.trim().split("\\s+")));
      roles.remove("");
    } else if (value instanceof List<?> list) {
      list.stream().filter(String.class::isInstance).map(String.class::cast).forEach(roles::add);
    }
    return Set.copyOf(roles);
  }

  /** Configures a {@link JwtVerifier}. */
  public static final class Builder {
    private final String issuer;
    private final String audience;
    private JWKSource<SecurityContext> keys;
    private String principalClaim = "sub";
    private String rolesClaim;

    private Builder(String issuer, String audience) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      this.audience = Objects.requireNonNull(audience, "audience");
    }

    /**
     * The signing keys, fetched from {@code url} (and again, rate-limited, for an unknown key id).
     *
     * @throws IllegalArgumentException if {@code url} is not a URL
     */
    public Builder jwksUrl(URI url) {
      try {
        this.keys = JWKSourceBuilder.<SecurityContext>create(url.toURL()).build();
      } catch (MalformedURLException | IllegalArgumentException e) {
        throw new IllegalArgumentException("not a JWKS URL: " + url, e);
      }
      return this;
    }

    /**
     * The signing keys, read once from a JWKS file.
     *
     * @throws IllegalArgumentException if the file cannot be read or is not a JWK set
     */
    public Builder jwksFile(Path file) {
      try {
        this.keys = new ImmutableJWKSet<>(JWKSet.load(file.toFile()));
      } catch (IOException | ParseException e) {
        throw new IllegalArgumentException("cannot read JWKS file " + file + ": " + e.getMessage(), e);
      }
      return this;
    }

    /** The claim that names the principal (default {@code sub}). */
    public Builder principalClaim(String claim) {
      this.principalClaim = Objects.requireNonNull(claim, "claim");
      return this;
    }

    /** The claim that lists the roles (default none: no roles). */
    public Builder rolesClaim(String claim) {
      this.rolesClaim = claim;
      return this;
    }

    /** @throws IllegalStateException if no keys were given */
    public JwtVerifier build() {
      if (keys == null) {
        throw new IllegalStateException("a JWT verifier needs keys: jwksUrl or jwksFile");
      }
      return new JwtVerifier(this);
    }
  }
}
