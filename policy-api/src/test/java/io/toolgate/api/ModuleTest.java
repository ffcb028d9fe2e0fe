package io.toolgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The API module exports its one package and needs nothing but Jackson databind. */
class ModuleTest {
  @Test
  void exportsOnlyTheApiAndRequiresOnlyJacksonDatabind() throws Exception {
    ModuleDescriptor module;
    try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
      module = ModuleDescriptor.read(in);
    }
    assertThat(module.name()).isEqualTo("io.toolgate.api");
    assertThat(module.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("io.toolgate.api");
    assertThat(module.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
    assertThat(module.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("java.base", "com.fasterxml.jackson.databind");
  }
}
