package io.toolgate.cli.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.toolgate.cli.scan.ScannedTool.Hints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The classifier's rules and word table, case by case. */
class RiskClassifierTest {
  static RiskClass risk(String name, String description, Hints hints) {
    return RiskClassifier.classify(new ScannedTool(name, description, null, hints)).risk();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "read_project, READ",
    "list_backtests, READ",
    "github_get_issue, READ",
    "readLiveAlgorithm, READ",
    "list_refunds, READ",
    "update_file, WRITE",
    "update_list, WRITE",
    "create_project, WRITE",
    "frobnicate, WRITE",
    "create_compile, EXECUTE",
    "create_backtest, EXECUTE",
    "create_optimization, EXECUTE",
    "execute_query, EXECUTE",
    "run_script, EXECUTE",
    "create_live_algorithm, FINANCIAL",
    "place_trade, FINANCIAL",
    "pay_invoice, FINANCIAL",
    "stop_live_algorithm, FINANCIAL",
    "delete_project, DESTRUCTIVE",
    "remove_file, DESTRUCTIVE",
    "list_deleted_items, DESTRUCTIVE",
    "DropTable, DESTRUCTIVE",
  })
  void withoutAnnotationsTheNameDecides(String name, RiskClass expected) {
    assertThat(risk(name, null, Hints.NONE)).isEqualTo(expected);
  }

  @Test
  void theDescriptionDecidesOnlyWhenTheNameHasNoTableWord() {
    assertThat(risk("project_summary", "Reads the summary of a project", Hints.NONE)).isEqualTo(RiskClass.READ);
    assertThat(risk("liar", "Deletes everything", Hints.NONE)).isEqualTo(RiskClass.DESTRUCTIVE);
    assertThat(risk("read_thing", "Deletes everything", Hints.NONE)).isEqualTo(RiskClass.READ);
    assertThat(risk("thing", "Nothing known here", Hints.NONE)).isEqualTo(RiskClass.WRITE);
    assertThat(risk("thing", null, Hints.NONE)).isEqualTo(RiskClass.WRITE);
  }

  @Test
  void annotationsDecideReadAndDestructiveOverTheWords() {
    assertThat(risk("delete_project", null, new Hints(true, null, null, null))).isEqualTo(RiskClass.READ);
    assertThat(risk("read_project", null, new Hints(null, true, null, null))).isEqualTo(RiskClass.DESTRUCTIVE);
    // readOnlyHint: false alone: MCP's default destructiveHint is true.
    assertThat(risk("read_project", null, new Hints(false, null, null, null))).isEqualTo(RiskClass.DESTRUCTIVE);
    // Not read-only and not destructive: the words choose among write, execute and financial.
    Hints change = new Hints(false, false, null, null);
    assertThat(risk("read_project", null, change)).isEqualTo(RiskClass.WRITE);
    assertThat(risk("delete_project", null, change)).isEqualTo(RiskClass.WRITE);
    assertThat(risk("create_compile", null, change)).isEqualTo(RiskClass.EXECUTE);
    assertThat(risk("create_live_algorithm", null, change)).isEqualTo(RiskClass.FINANCIAL);
    // destructiveHint: false alone keeps read words.
    assertThat(risk("list_files", null, new Hints(null, false, null, null))).isEqualTo(RiskClass.READ);
    assertThat(risk("remove_file", null, new Hints(null, false, null, null))).isEqualTo(RiskClass.WRITE);
  }

  @Test
  void idempotentAndOpenWorldHintsAreNamedButChangeNoClass() {
    RiskClassifier.Classification c = RiskClassifier.classify(
        new ScannedTool("update_file", null, null, new Hints(false, false, true, false)));
    assertThat(c.risk()).isEqualTo(RiskClass.WRITE);
    assertThat(c.why()).isEqualTo("annotation readOnlyHint: false; annotation destructiveHint: false; name word \"update\";"
        + " idempotentHint: true; openWorldHint: false");
  }

  @Test
  void wordsMatchWholeWordsWithCommonEndingsOnly() {
    assertThat(risk("ready_state", null, Hints.NONE)).isEqualTo(RiskClass.WRITE); // "ready" is not "read"
    assertThat(risk("deleting_things", null, Hints.NONE)).isEqualTo(RiskClass.DESTRUCTIVE);
    assertThat(risk("compiled_list", null, Hints.NONE)).isEqualTo(RiskClass.EXECUTE);
    assertThat(RiskClassifier.tokens("getHTTPStatus-v2 x.y", 100)).containsExactly("get", "httpstatus", "v2", "x", "y");
  }

  @Test
  void onlyTheFirstCharactersAreRead() {
    String padded = "x_".repeat(RiskClassifier.NAME_CHARS) + "delete";
    assertThat(risk(padded, null, Hints.NONE)).isEqualTo(RiskClass.WRITE);
  }

  @Test
  void whyNeverQuotesTheServersText() {
    RiskClassifier.Classification c = RiskClassifier.classify(
        new ScannedTool("thing", "Deletes\n# everything: yes", null, Hints.NONE));
    assertThat(c.why()).isEqualTo("description word \"delete\"");
  }
}
