package io.toolgate.mcp;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
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
final class LoopbackTomcat implements AutoCloseable {
  /** Held so the level sticks: Tomcat's start-up lines and leak warnings only blur test output. */
  private static final java.util.logging.Logger TOMCAT_LOG = quiet();

  private final Tomcat tomcat = new Tomcat();
  private final Connector connector = new Connector();
  private final Context context;

  LoopbackTomcat() {
    try {
      tomcat.setBaseDir(Files.createTempDirectory("toolgate-tomcat").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    // No keep-alive: every response says "Connection: close", so the JDK HttpClient never reuses a
    // pooled connection that Tomcat is closing (a POST on it fails with "header parser received no
    // bytes" and is not retried). A loopback connection per request costs nothing here.
    connector.setProperty("maxKeepAliveRequests", "1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    context = tomcat.addContext("", null);
  }

  private static java.util.logging.Logger quiet() {
    java.util.logging.Logger log = java.util.logging.Logger.getLogger("org.apache");
    log.setLevel(java.util.logging.Level.SEVERE);
    return log;
  }

  LoopbackTomcat serve(String path, HttpServlet servlet) {
    String name = "servlet" + path.replace('/', '-');
    Tomcat.addServlet(context, name, servlet).setAsyncSupported(true);
    context.addServletMapping(path, name);
    return this;
  }

  /** Puts {@code filter} in front of whatever serves {@code path}. */
  LoopbackTomcat filter(String path, Filter filter) {
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

  LoopbackTomcat start() {
    try {
      tomcat.start();
    } catch (LifecycleException e) {
      throw new IllegalStateException(e);
    }
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  @Override
  public void close() throws LifecycleException {
    tomcat.stop();
    tomcat.destroy();
  }

}
