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
 * <p>Usage: {@code Report <jmh.json>[,<more.json>...] <memory.json> <run-notes.md> <RESULTS.md>
 * <chart.png>}: the measurements of every JMH file listed (comma-separated) make one table. The
 * notes (machine, load, JMH settings) are copied under the title as they are.
 */
public final class Report {
  /** Peer columns in table order; implementations not listed here follow, in order of appearance. */
  static final List<String> KNOWN_PEERS =
      List.of(
          "bucket4j", "guava", "resilience4j",
          "bucket4jMap", "guavaMap", "resilience4jMap",
          "bucket4jCaffeine", "guavaCaffeine", "resilience4jCaffeine",
          "everit", "jcasbin", "cedar", "jdk", "lettuce", "bucket4jLettuce", "redisson");

  static final Map<String, String> NAMES =
      Map.ofEntries(
          Map.entry("toolgate", "Toolgate"),
          Map.entry("bucket4j", "Bucket4j"),
          Map.entry("guava", "Guava"),
          Map.entry("resilience4j", "Resilience4j"),
          Map.entry("bucket4jMap", "Bucket4j (map)"),
          Map.entry("guavaMap", "Guava (map)"),
          Map.entry("resilience4jMap", "Resilience4j (map)"),
          Map.entry("bucket4jCaffeine", "Bucket4j (Caffeine)"),
          Map.entry("guavaCaffeine", "Guava (Caffeine)"),
          Map.entry("resilience4jCaffeine", "Resilience4j (Caffeine)"),
          Map.entry("everit", "Everit"),
          Map.entry("jcasbin", "jCasbin"),
          Map.entry("cedar", "Cedar"),
          Map.entry("jdk", "JDK"),
          Map.entry("lettuce", "Lettuce (raw EVALSHA)"),
          Map.entry("bucket4jLettuce", "Bucket4j-Lettuce"),
          Map.entry("redisson", "Redisson"));

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
      System.err.println("usage: Report <jmh.json>[,<more.json>...] <memory.json> <run-notes.md> <RESULTS.md> <chart.png>");
      System.exit(2);
    }
    List<Measurement> measurements = new ArrayList<>();
    for (String file : args[0].split(",")) {
      measurements.addAll(JmhResults.read(Path.of(file)));
    }
    Path memoryFile = Path.of(args[1]);
    JsonNode memory = Files.exists(memoryFile) ? new ObjectMapper().readTree(memoryFile.toFile()) : null;
    Report report = new Report(measurements, memory);
    String notes = Files.readString(Path.of(args[2]));
    Path chart = Path.of(args[4]);
    report.writeChart(chart);
    Files.writeString(Path.of(args[3]), report.markdown(notes, chart.getFileName().toString()));
  }

  /**
   * One evaluated row of the table; {@code clock} is the clock-read row's figure for an {@link
   * Goal.Kind#OVERHEAD} goal, {@code null} otherwise.
   */
  record Line(
      Goal goal,
      Measurement toolgate,
      Map<String, Measurement> peers,
      Measurement compared,
      String comparedName,
      Measurement clock) {
    double ratio() {
      if (toolgate == null) {
        return Double.NaN;
      }
      return switch (goal.kind()) {
        case ABSOLUTE -> toolgate.score() / goal.bound();
        case OVERHEAD -> compared == null || clock == null ? Double.NaN : overhead() / allowance();
        default -> compared == null ? Double.NaN : toolgate.score() / compared.score();
      };
    }

    /** Toolgate's figure minus the baseline row's ({@link Goal.Kind#OVERHEAD}). */
    double overhead() {
      return toolgate.score() - compared.score();
    }

    /** What an {@link Goal.Kind#OVERHEAD} goal allows: the clock reads plus the bound. */
    double allowance() {
      return Goal.CLOCK_READS * clock.score() + goal.bound();
    }

    /** Whether the goal is met; {@code null} when the row has no goal or was not measured. */
    Boolean met() {
      double ratio = ratio();
      if (!goal.hasBound() || Double.isNaN(ratio)) {
        return null;
      }
      return switch (goal.kind()) {
        case ABSOLUTE -> toolgate.score() <= goal.bound();
        case OVERHEAD -> ratio <= 1.0;
        default -> ratio <= goal.bound();
      };
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
    Measurement clock = null;
    switch (goal.kind()) {
      case PEER -> {
        compared = cells.get(goal.against());
        comparedName = name(goal.against());
      }
      case BEST_PEER -> {
        for (Map.Entry<String, Measurement> e : rowPeers.entrySet()) {
          boolean considered = goal.against() == null || e.getKey().matches(goal.against());
          if (considered && (compared == null || e.getValue().score() < compared.score())) {
            compared = e.getValue();
            comparedName = name(e.getKey());
          }
        }
      }
      case ROW, OVERHEAD -> {
        Map<String, Measurement> baseline = rows.get(goal.against());
        compared = baseline == null || goal.against().equals(goal.row()) ? null : baseline.get("toolgate");
        comparedName = "row " + goal.against();
        if (goal.kind() == Goal.Kind.OVERHEAD) {
          Map<String, Measurement> clockRow = rows.getOrDefault(Goal.CLOCK_ROW, Map.of());
          clock = clockRow.values().stream().findFirst().orElse(null);
        }
      }
      case ABSOLUTE -> { }
    }
    return new Line(goal, toolgate, rowPeers, compared, comparedName, clock);
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
    md.append(' ').append(ratio).append(" | ").append(goalText(goal)).append(" (stretch) | ")
        .append(toolgate <= goal.bound() ? "yes" : "no (not required)").append(" | exact (object graph) |\n");
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
    return switch (line.goal().kind()) {
      case ABSOLUTE -> String.format(Locale.ROOT, "%.2f of the goal", ratio);
      case OVERHEAD -> String.format(
          Locale.ROOT,
          "%.2f of the allowance (%s ns over %s; allowance %s ns)",
          ratio,
          number(line.overhead()),
          line.comparedName(),
          number(line.allowance()));
      default -> String.format(Locale.ROOT, "%.2f vs %s", ratio, line.comparedName());
    };
  }

  private static String goalText(Goal goal) {
    if (!goal.hasBound()) {
      return "";
    }
    return switch (goal.kind()) {
      case ABSOLUTE -> goal.row().equals("Memory") ? "<= " + (long) goal.bound() + " B" : "<= " + (long) goal.bound() + " ns";
      case OVERHEAD -> String.format(
          Locale.ROOT, "minus baseline <= %d x nanoTime + %d ns", Goal.CLOCK_READS, (long) goal.bound());
      default -> String.format(Locale.ROOT, "ratio <= %.1f", goal.bound());
    };
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
      Double other = switch (line.goal().kind()) {
        case ABSOLUTE -> line.goal().bound();
        case OVERHEAD -> Double.isNaN(line.ratio()) ? null : line.compared().score() + line.allowance();
        default -> line.compared() == null ? null : line.compared().score();
      };
      if (other == null) {
        continue;
      }
      String against = switch (line.goal().kind()) {
        case ABSOLUTE -> "goal";
        case ROW -> "baseline";
        case OVERHEAD -> "baseline + allowance";
        default -> line.comparedName();
      };
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
