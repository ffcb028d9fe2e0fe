package io.toolgate.gateway.internal;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A handler mounted at a path prefix of {@link Http1Server}, as the {@link HttpContext} of its exchanges. */
final class Http1Context extends HttpContext {
  private final String path;
  private HttpHandler handler;
  private final Map<String, Object> attributes = new ConcurrentHashMap<>();
  private final List<Filter> filters = new CopyOnWriteArrayList<>();

  Http1Context(String path, HttpHandler handler) {
    this.path = path;
    this.handler = handler;
  }

  @Override
  public HttpHandler getHandler() {
    return handler;
  }

  @Override
  public void setHandler(HttpHandler handler) {
    this.handler = handler;
  }

  @Override
  public String getPath() {
    return path;
  }

  /** There is no JDK server behind this context: {@code null}. */
  @Override
  public HttpServer getServer() {
    return null;
  }

  @Override
  public Map<String, Object> getAttributes() {
    return attributes;
  }

  /** Filters are not run by {@link Http1Server}; the list stays for the API's sake. */
  @Override
  public List<Filter> getFilters() {
    return filters;
  }

  @Override
  public Authenticator setAuthenticator(Authenticator auth) {
    throw new UnsupportedOperationException("Http1Server does not run authenticators");
  }

  @Override
  public Authenticator getAuthenticator() {
    return null;
  }
}
