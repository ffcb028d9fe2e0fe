package io.toolgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README, {@code ARCHITECTURE.md} and the pages under {@code docs/} stay true to each other: every
 * relative link names a file that exists and, for a Markdown page, a heading anchor that page has
 * (as GitHub derives anchors); the README links every page of {@code docs/} and fits on a few
 * screens. Links inside code blocks and code spans are not links and are skipped.
 */
class DocsLinksTest {
  /** {@code [text](target)} or {@code ![alt](target)}; the target ends at the first space or ')'. */
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");
  private static final int README_MAX_LINES = 250;

  private static final Path ROOT = repositoryRoot();

  @Test
  void everyRelativeLinkResolvesToAFileAndAnAnchor() {
    List<String> broken = new ArrayList<>();
    for (Path doc : documents()) {
      for (String target : links(doc)) {
        String problem = check(doc, target);
        if (problem != null) {
          broken.add(ROOT.relativize(doc) + ": " + target + ": " + problem);
        }
      }
    }
    assertThat(broken).as("broken links").isEmpty();
  }

  @Test
  void theReadmeLinksEveryDocsPage() throws IOException {
    Set<Path> linked = new HashSet<>();
    for (String target : links(ROOT.resolve("README.md"))) {
      linked.add(ROOT.resolve(stripAnchor(target)).normalize());
    }
    try (Stream<Path> pages = Files.list(ROOT.resolve("docs"))) {
      assertThat(pages.filter(p -> p.toString().endsWith(".md")).map(Path::normalize))
          .isNotEmpty()
          .allSatisfy(page -> assertThat(linked).as("pages the README links").contains(page));
    }
    assertThat(linked).as("pages the README links").contains(ROOT.resolve("ARCHITECTURE.md"));
  }

  @Test
  void theReadmeFitsOnAFewScreens() throws IOException {
    assertThat(Files.readAllLines(ROOT.resolve("README.md"))).hasSizeLessThan(README_MAX_LINES);
  }

  @Test
  void anchorsAreDerivedAsGitHubDerivesThem() {
    assertThat(anchors(List.of("# Policy reference", "## How a call is decided", "### The tester and the assertions",
        "## Engine configuration", "## Decisions", "## Decisions", "```", "# not a heading", "```")))
        .containsExactlyInAnyOrder("policy-reference", "how-a-call-is-decided", "the-tester-and-the-assertions",
            "engine-configuration", "decisions", "decisions-1");
    assertThat(anchors(List.of("## `policy-api`: values and SPIs", "## Where to add a condition operator (`op`)")))
        .containsExactlyInAnyOrder("policy-api-values-and-spis", "where-to-add-a-condition-operator-op");
  }

  /** Why {@code target}, linked from {@code doc}, does not resolve; {@code null} when it does. */
  private static String check(Path doc, String target) {
    if (target.contains("://") || target.startsWith("mailto:")) {
      return null;
    }
    String file = stripAnchor(target);
    String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
    Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
    if (!resolved.startsWith(ROOT)) {
      return "points outside the repository";
    }
    if (!Files.exists(resolved)) {
      return "no such file " + ROOT.relativize(resolved);
    }
    if (anchor != null) {
      if (!resolved.toString().endsWith(".md")) {
        return "an anchor into a file that is not Markdown";
      }
      if (!anchors(lines(resolved)).contains(anchor)) {
        return "no heading with anchor #" + anchor + " in " + ROOT.relativize(resolved);
      }
    }
    return null;
  }

  private static String stripAnchor(String target) {
    int hash = target.indexOf('#');
    return hash < 0 ? target : target.substring(0, hash);
  }

  /** README.md, ARCHITECTURE.md and docs/*.md. */
  private static List<Path> documents() {
    List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("ARCHITECTURE.md")));
    try (Stream<Path> pages = Files.list(ROOT.resolve("docs"))) {
      pages.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  /** The link targets of {@code doc}, outside code blocks and code spans. */
  private static List<String> links(Path doc) {
    List<String> targets = new ArrayList<>();
    boolean fenced = false;
    for (String line : lines(doc)) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      Matcher m = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
      while (m.find()) {
        targets.add(m.group(1));
      }
    }
    return targets;
  }

  /**
   * The anchors of a page's headings as GitHub derives them: lower case, code-span backticks and
   * punctuation other than '-' and '_' dropped, spaces to '-'; a repeated anchor gets "-1", "-2".
   */
  private static Set<String> anchors(List<String> lines) {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : lines) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced || !line.matches("#{1,6} .*")) {
        continue;
      }
      String text = line.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT);
      String slug = text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum);
      anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
    }
    return anchors;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The directory holding the reactor's README.md, from the module's working directory up. */
  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("policy-testkit"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
  }
}
