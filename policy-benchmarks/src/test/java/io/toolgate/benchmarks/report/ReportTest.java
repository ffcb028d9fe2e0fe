package io.toolgate.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report on a canned JMH result file: rows, columns, ratios, goals, and a chart that decodes. */
class ReportTest {
  private static Path resource(String name) throws Exception {
    return Path.of(ReportTest.class.getResource("/report/" + name).toURI());
  }

  private static Report report() throws Exception {
    return new Report(
        JmhResults.read(resource("jmh.json")), new ObjectMapper().readTree(resource("memory.json").toFile()));
  }

  @Test
  void namesRowsAndColumnsFromBenchmarkClassMethodAndParams() throws Exception {
    List<Measurement> m = JmhResults.read(resource("jmh.json"));
    assertThat(m).extracting(Measurement::row)
        .contains("PlainAllow", "RateLimitOneKey", "RateLimitOneKey/2threads",
            "PolicySize[entries=1,match=exact]", "RedisStore/async");
    assertThat(m).filteredOn(x -> x.row().equals("RateLimitOneKey/2threads")).extracting(Measurement::impl)
        .containsExactly("toolgate", "bucket4j", "bucket4jMap");
    assertThat(m).filteredOn(x -> x.row().equals("RedisStore/async")).first()
        .satisfies(x -> assertThat(x.error()).isNaN());
  }

  @Test
  void tableHasRatiosGoalsAndErrors() throws Exception {
    String md = report().markdown("Run: canned.", "chart.png");
    assertThat(md).contains("Run: canned.")
        .contains("| Benchmark | Toolgate | Bucket4j | Guava | Bucket4j (map) | Bucket4j (Caffeine) | Guava (Caffeine) "
            + "| JDK | Lettuce (raw EVALSHA) | Bucket4j-Lettuce | Redisson | Ratio | Goal | Met |")
        .doesNotContain("jCasbin");
    assertThat(line(md, "`PlainAllow`")).contains("12.5 ns").contains("0.25 of the goal").contains("<= 50 ns").contains("| yes |");
    // vs the fastest peer that looks its limiter up (Bucket4j in a map), not the faster bare Guava
    assertThat(line(md, "`RateLimitOneKey`")).contains("0.89 vs Bucket4j (map)").contains("± 2.00 / ± 1.00").contains("| yes |");
    assertThat(line(md, "`RateLimitOneKey/2threads`")).contains("4.29 vs Bucket4j (map)").contains("**no**");
    // one row, two goals: vs the best bounded peer and vs the best bare-map peer
    assertThat(lines(md, "`ManyKeys`")).hasSize(2);
    assertThat(lines(md, "`ManyKeys`").get(0)).contains("0.89 vs Bucket4j (Caffeine)").contains("ratio <= 0.8").contains("**no**");
    assertThat(lines(md, "`ManyKeys`").get(1)).contains("0.80 vs Bucket4j (map)").contains("ratio <= 1.1").contains("| yes |");
    // call - evaluate = 30 ns against 2 x 15 ns + 20 ns
    assertThat(line(md, "`Interceptor/call`"))
        .contains("0.60 of the allowance (30.0 ns over row Interceptor/evaluate; allowance 50.0 ns)")
        .contains("minus baseline <= 2 x nanoTime + 20 ns").contains("| yes |");
    assertThat(line(md, "`Interceptor/nanoTime`")).contains("15.0 ns");
    assertThat(lines(md, "`RedisStore`")).hasSize(2);
    assertThat(lines(md, "`RedisStore`").get(0)).contains("100 us/op").contains("1.11 vs Lettuce (raw EVALSHA)").contains("**no**");
    assertThat(lines(md, "`RedisStore`").get(1)).contains("0.95 vs Redisson").contains("ratio <= 1.0").contains("| yes |");
    assertThat(line(md, "`PolicySize[entries=10000,match=exact]`")).contains("1.10 vs row PolicySize[entries=1,match=exact]");
    // a row no goal names still appears, without a goal
    assertThat(line(md, "`RedisStore/async`")).contains("150,000 ns").contains("n/a");
    assertThat(line(md, "`Memory`")).contains("120 B").contains("400 B").contains("0.30 vs Bucket4j")
        .contains("<= 150 B (stretch)").contains("| yes |");
    assertThat(md).contains("![benchmark chart](chart.png)");
  }

  @Test
  void chartIsAPng(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("chart.png");
    report().writeChart(png);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1400);
    assertThat(image.getHeight()).isEqualTo(800);
  }

  @Test
  void refusesAFileThatIsNotJmhOutput() {
    assertThatThrownBy(() -> JmhResults.parse(new ObjectMapper().readTree("{\"benchmark\":1}")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String line(String md, String rowId) {
    return md.lines().filter(l -> l.contains(rowId)).findFirst().orElseThrow(() -> new AssertionError("no row " + rowId));
  }

  private static List<String> lines(String md, String rowId) {
    return md.lines().filter(l -> l.contains(rowId)).toList();
  }
}
