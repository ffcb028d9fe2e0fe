package io.toolgate.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Turns one benchmark run into {@code RESULTS.md} (a table: benchmark, Toolgate, each peer, the
 * ratio and goal, the error) and a PNG bar chart.
 *
 * <p>Usage: {@code Report <jmh.json> <memory.json> <run-notes.md> <RESULTS.md> <chart.png>}. The
 * notes (machine, load, JMH settings) are copied under the title as they are.
 */
public final class Report {
  /** Peer columns in table order; implementations not listed here follow, in order of appearance. */
  static final List<String> KNOWN_PEERS = List.of("bucket4j", "guava", "resilience4j", "everit", "jcasbin", "cedar");

  static final Map<String, String> NAMES =
      Map.of(
          "toolgate", "Toolgate",
          "bucket4j", "Bucket4j",
          "guava", "Guava",
          "resilience4j", "Resilience4j",
          "everit", "Everit",
          "jcasbin", "jCasbin",
          "cedar", "Cedar");

  private final Map<String, Map<String, Measurement>> rows = new LinkedHashMap<>();
  private final List<String> peers = new ArrayList<>();
  private final JsonNode memory;

  Report(List<Measurement> measurements, JsonNode memory) {
    Set<String> impls = new LinkedHashSet<>(KNOWN_PEERS);
    for (Measurement m : measurements) {
      rows.computeIfAbsent(m.row(), r -> new LinkedHashMap<>()).put(m.impl(), m);
      if (!m.impl().equals("toolgate")) {
        impls.add(m.impl());
      }
    }
    for (String impl : impls) {
      if (memoryHas(memory, impl) || measurements.stream().anyMatch(m -> m.impl().equals(impl))) {
        peers.add(impl);
      }
    }
    this.memory = memory;
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 5) {
      System.err.println("usage: Report <jmh.json> <memory.json> <run-notes.md> <RESULTS.md> <chart.png>");
      System.exit(2);
    }
    Path memoryFile = Path.of(args[1]);
    JsonNode memory = Files.exists(memoryFile) ? new ObjectMapper().readTree(memoryFile.toFile()) : null;
    Report report = new Report(JmhResults.read(Path.of(args[0])), memory);
    String notes = Files.readString(Path.of(args[2]));
    Path chart = Path.of(args[4]);
    report.writeChart(chart);
    Files.writeString(Path.of(args[3]), report.markdown(notes, chart.getFileName().toString()));
  }

  /** One evaluated row of the table. */
  record Line(Goal goal, Measurement toolgate, Map<String, Measurement> peers, Measurement compared, String comparedName) {
    double ratio() {
      if (toolgate == null) {
        return Double.NaN;
      }
      if (goal.kind() == Goal.Kind.ABSOLUTE) {
        return toolgate.score() / goal.bound();
      }
      return compared == null ? Double.NaN : toolgate.score() / compared.score();
    }

    /** Whether the goal is met; {@code null} when the row has no goal or was not measured. */
    Boolean met() {
      double ratio = ratio();
      if (!goal.hasBound() || Double.isNaN(ratio)) {
        return null;
      }
      return goal.kind() == Goal.Kind.ABSOLUTE ? toolgate.score() <= goal.bound() : ratio <= goal.bound();
    }
  }

  List<Line> lines() {
    List<Line> out = new ArrayList<>();
    Set<String> done = new LinkedHashSet<>();
    for (Goal goal : Goals.ALL) {
      if (rows.containsKey(goal.row())) {
        out.add(line(goal));
        done.add(goal.row());
      }
    }
    for (String row : rows.keySet()) {
      if (!done.contains(row)) {
        out.add(line(Goal.vsBestPeer(row, row, Double.NaN)));
      }
    }
    return out;
  }

  private Line line(Goal goal) {
    Map<String, Measurement> cells = rows.get(goal.row());
    Measurement toolgate = cells.get("toolgate");
    Map<String, Measurement> rowPeers = new LinkedHashMap<>(cells);
    rowPeers.remove("toolgate");
    Measurement compared = null;
    String comparedName = null;
    switch (goal.kind()) {
      case PEER:
        compared = cells.get(goal.against());
        comparedName = name(goal.against());
        break;
      case BEST_PEER:
        for (Map.Entry<String, Measurement> e : rowPeers.entrySet()) {
          if (compared == null || e.getValue().score() < compared.score()) {
            compared = e.getValue();
            comparedName = name(e.getKey());
          }
        }
        break;
      case ROW:
        Map<String, Measurement> baseline = rows.get(goal.against());
        compared = baseline == null || goal.against().equals(goal.row()) ? null : baseline.get("toolgate");
        comparedName = "row " + goal.against();
        break;
      default:
        break;
    }
    return new Line(goal, toolgate, rowPeers, compared, comparedName);
  }

  String markdown(String notes, String chartFile) {
    StringBuilder md = new StringBuilder("# Toolgate benchmark results\n\n");
    md.append(notes.strip()).append("\n\n");
    md.append("| Benchmark | Toolgate |");
    for (String peer : peers) {
      md.append(' ').append(name(peer)).append(" |");
    }
    md.append(" Ratio | Goal | Met | Error (99.9%, Toolgate / compared) |\n|---|---:|");
    md.append("---:|".repeat(peers.size())).append("---|---|---|---|\n");
    for (Line line : lines()) {
      md.append("| ").append(line.goal().title()).append(" <br>`").append(line.goal().row()).append("` | ");
      md.append(cell(line.toolgate())).append(" |");
      for (String peer : peers) {
        md.append(' ').append(cell(line.peers().get(peer))).append(" |");
      }
      md.append(' ').append(ratioText(line)).append(" | ").append(goalText(line.goal())).append(" | ");
      Boolean met = line.met();
      md.append(met == null ? "" : met ? "yes" : "**no**").append(" | ");
      md.append(error(line.toolgate()));
      if (line.compared() != null) {
        md.append(" / ").append(error(line.compared()));
      }
      md.append(" |\n");
    }
    if (memory != null) {
      md.append(memoryLine());
    }
    md.append("\nRatio: Toolgate's figure divided by the compared one (a peer of the same row, the fastest peer, ")
        .append("or Toolgate in a baseline row); below 1 Toolgate is faster. Lower is better everywhere.\n\n");
    md.append("![benchmark chart](").append(chartFile).append(")\n");
    return md.toString();
  }

  private String memoryLine() {
    Goal goal = Goals.MEMORY;
    double toolgate = memory.path("toolgate").asDouble(Double.NaN);
    StringBuilder md = new StringBuilder("| ").append(goal.title()).append(", ")
        .append(memory.path("keys").asInt()).append(" keys <br>`Memory` | ")
        .append(bytes(toolgate)).append(" |");
    double best = Double.NaN;
    String bestName = null;
    for (String peer : peers) {
      md.append(' ');
      if (memoryHas(memory, peer)) {
        double v = memory.path(peer).asDouble();
        md.append(bytes(v));
        if (Double.isNaN(best) || v < best) {
          best = v;
          bestName = name(peer);
        }
      }
      md.append(" |");
    }
    String ratio = Double.isNaN(best) ? "" : String.format(Locale.ROOT, "%.2f vs %s", toolgate / best, bestName);
    md.append(' ').append(ratio).append(" | ").append(goalText(goal)).append(" | ")
        .append(toolgate <= goal.bound() ? "yes" : "**no**").append(" | exact (object graph) |\n");
    return md.toString();
  }

  private static boolean memoryHas(JsonNode memory, String impl) {
    return memory != null && memory.path(impl).isNumber();
  }

  private static String ratioText(Line line) {
    double ratio = line.ratio();
    if (Double.isNaN(ratio)) {
      return "";
    }
    String against = line.goal().kind() == Goal.Kind.ABSOLUTE ? "of the goal" : "vs " + line.comparedName();
    return String.format(Locale.ROOT, "%.2f %s", ratio, against);
  }

  private static String goalText(Goal goal) {
    if (!goal.hasBound()) {
      return "";
    }
    return goal.kind() == Goal.Kind.ABSOLUTE
        ? (goal.row().equals("Memory") ? "<= " + (long) goal.bound() + " B" : "<= " + (long) goal.bound() + " ns")
        : String.format(Locale.ROOT, "ratio <= %.1f", goal.bound());
  }

  static String name(String impl) {
    return NAMES.getOrDefault(impl, impl);
  }

  private static String cell(Measurement m) {
    if (m == null) {
      return "";
    }
    String unit = m.unit().equals("ns/op") ? " ns" : " " + m.unit();
    return number(m.score()) + unit;
  }

  private static String error(Measurement m) {
    return m == null || Double.isNaN(m.error()) ? "n/a" : "± " + number(m.error());
  }

  private static String bytes(double b) {
    return Double.isNaN(b) ? "" : String.format(Locale.ROOT, "%.0f B", b);
  }

  static String number(double v) {
    if (Math.abs(v) < 10) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    if (Math.abs(v) < 100) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  /**
   * A grouped bar chart, one group per row measured in ns/op: Toolgate beside what it is compared
   * with (a peer, a baseline row or the goal), on a logarithmic axis since the figures span
   * nanoseconds to microseconds.
   */
  void writeChart(Path png) throws IOException {
    List<String> labels = new ArrayList<>();
    List<Double> toolgate = new ArrayList<>();
    List<Double> compared = new ArrayList<>();
    for (Line line : lines()) {
      if (line.toolgate() == null || !line.toolgate().unit().equals("ns/op")) {
        continue;
      }
      Double other = line.goal().kind() == Goal.Kind.ABSOLUTE
          ? Double.valueOf(line.goal().bound())
          : line.compared() == null ? null : line.compared().score();
      if (other == null) {
        continue;
      }
      String against =
          line.goal().kind() == Goal.Kind.ABSOLUTE ? "goal"
              : line.goal().kind() == Goal.Kind.ROW ? "baseline"
              : line.comparedName();
      labels.add(line.goal().row() + " vs " + against);
      toolgate.add(line.toolgate().score());
      compared.add(other);
    }
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(1400)
            .height(800)
            .title("Toolgate vs peers and baselines (ns/op, log scale, lower is better)")
            .yAxisTitle("ns/op")
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setYAxisMin(1.0);
    double highest = 1;
    for (int i = 0; i < toolgate.size(); i++) {
      highest = Math.max(highest, Math.max(toolgate.get(i), compared.get(i)));
    }
    chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(highest * 1.5))));
    chart.getStyler().setXAxisLabelRotation(30);
    chart.getStyler().setOverlapped(false);
    if (labels.isEmpty()) {
      labels.add("no results");
      toolgate.add(1.0);
      compared.add(1.0);
    }
    chart.addSeries("Toolgate", labels, toolgate);
    chart.addSeries("compared with (peer, baseline row or goal)", labels, compared);
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    // XChart appends the extension when the name lacks it.
    if (!png.toString().endsWith(".png") && Files.exists(Path.of(png + ".png"))) {
      Files.move(Path.of(png + ".png"), png);
    }
  }
}
