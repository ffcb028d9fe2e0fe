package io.toolgate.mcp;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/** An embedded Tomcat on 127.0.0.1 and a free port, serving the servlets given to it. */
public final class LoopbackTomcat implements AutoCloseable {
  /** Held so the level sticks: Tomcat's start-up lines and leak warnings only blur test output. */
  private static final java.util.logging.Logger TOMCAT_LOG = quiet();

  private final Tomcat tomcat = new Tomcat();
  private final Connector connector = new Connector();
  private final Context context;

  public LoopbackTomcat() {
    try {
      tomcat.setBaseDir(Files.createTempDirectory("toolgate-tomcat").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    // No keep-alive: every response says "Connection: close" (and only that: see DropConnection),
    // so the JDK HttpClient never pools a connection, and never sends a request on one Tomcat is
    // closing. A loopback connection per request costs nothing here.
    connector.setProperty("maxKeepAliveRequests", "1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    context = tomcat.addContext("", null);
    filter("/*", new DropConnection());
  }

  /**
   * Drops the {@code Connection: keep-alive} the MCP SDK sets on its event streams. Tomcat adds
   * {@code Connection: close} after it when it closes the connection; the JDK HttpClient reads the
   * first value only, pools the connection anyway, and its next request on it fails with
   * "HTTP/1.1 header parser received no bytes". ({@link McpSessionFilter} does the same.)
   */
  public static final class DropConnection extends HttpFilter {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      chain.doFilter(
          request,
          new HttpServletResponseWrapper(response) {
            @Override
            public void setHeader(String name, String value) {
              if (!"Connection".equalsIgnoreCase(name)) {
                super.setHeader(name, value);
              }
            }

            @Override
            public void addHeader(String name, String value) {
              if (!"Connection".equalsIgnoreCase(name)) {
                super.addHeader(name, value);
              }
            }
          });
    }
  }

  private static java.util.logging.Logger quiet() {
    java.util.logging.Logger log = java.util.logging.Logger.getLogger("org.apache");
    log.setLevel(java.util.logging.Level.SEVERE);
    return log;
  }

  public LoopbackTomcat serve(String path, HttpServlet servlet) {
    String name = "servlet" + path.replace('/', '-');
    Tomcat.addServlet(context, name, servlet).setAsyncSupported(true);
    context.addServletMapping(path, name);
    return this;
  }

  /** Puts {@code filter} in front of whatever serves {@code path}. */
  public LoopbackTomcat filter(String path, Filter filter) {
    String name = "filter" + path.replace('/', '-');
    FilterDef def = new FilterDef();
    def.setFilterName(name);
    def.setFilter(filter);
    def.setAsyncSupported("true");
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName(name);
    map.addURLPattern(path);
    context.addFilterMap(map);
    return this;
  }

  public LoopbackTomcat start() {
    try {
      tomcat.start();
    } catch (LifecycleException e) {
      throw new IllegalStateException(e);
    }
    return this;
  }

  public String url() {
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  @Override
  public void close() throws LifecycleException {
    tomcat.stop();
    tomcat.destroy();
  }

}
