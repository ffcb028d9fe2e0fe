package io.toolgate.examples.spring;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Path;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** The example app is guarded by the starter and its policy file alone: it uses no Toolgate type. */
class NoToolgateCodeTest {

  @Test
  void theAppUsesNoToolgateType() throws Exception {
    // The app's own classes directory: scanning the whole classpath for the package is slow.
    Path classes = Path.of(SpringAiServerApplication.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    JavaClasses app = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPath(classes);
    Assertions.assertThat(app.contain(SpringAiServerApplication.class)).isTrue();
    Assertions.assertThat(app.contain(BearerTokenFilter.class)).isTrue();
    noClasses()
        .should()
        .dependOnClassesThat(resideInAPackage("io.toolgate..").and(resideOutsideOfPackage("io.toolgate.examples.spring")))
        .check(app);
  }
}
