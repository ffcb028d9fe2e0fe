package io.toolgate.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads JMH's JSON output ({@code -rf json}) into {@link Measurement}s. The naming convention
 * that makes a new benchmark class appear in the table with no change here: a class {@code
 * XyzBenchmark} is the row {@code Xyz}; a method {@code impl} or {@code impl_variant} fills the
 * column {@code impl} of the row {@code Xyz} or {@code Xyz/variant}; {@code @Param}s make one row
 * per combination.
 */
public final class JmhResults {
  private JmhResults() {}

  public static List<Measurement> read(Path file) throws IOException {
    return parse(new ObjectMapper().readTree(file.toFile()));
  }

  static List<Measurement> parse(JsonNode results) {
    if (!results.isArray()) {
      throw new IllegalArgumentException("not a JMH JSON result file: expected an array");
    }
    List<Measurement> out = new ArrayList<>();
    for (JsonNode result : results) {
      String benchmark = result.path("benchmark").asText();
      int lastDot = benchmark.lastIndexOf('.');
      int classDot = benchmark.lastIndexOf('.', lastDot - 1);
      if (lastDot < 0) {
        throw new IllegalArgumentException("not a benchmark name: " + benchmark);
      }
      String className = benchmark.substring(classDot + 1, lastDot);
      String method = benchmark.substring(lastDot + 1);
      String base = className.endsWith("Benchmark")
          ? className.substring(0, className.length() - "Benchmark".length())
          : className;
      int underscore = method.indexOf('_');
      String impl = underscore < 0 ? method : method.substring(0, underscore);
      StringBuilder row = new StringBuilder(base);
      if (underscore >= 0) {
        row.append('/').append(method.substring(underscore + 1));
      }
      Map<String, String> params = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = result.path("params").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> p = it.next();
        params.put(p.getKey(), p.getValue().asText());
      }
      if (!params.isEmpty()) {
        StringBuilder text = new StringBuilder();
        params.forEach((k, v) -> text.append(text.length() == 0 ? "" : ",").append(k).append('=').append(v));
        row.append('[').append(text).append(']');
      }
      JsonNode metric = result.path("primaryMetric");
      JsonNode error = metric.path("scoreError");
      out.add(new Measurement(
          row.toString(),
          impl,
          metric.path("score").asDouble(),
          error.isNumber() ? error.asDouble() : Double.NaN,
          metric.path("scoreUnit").asText()));
    }
    return out;
  }
}
