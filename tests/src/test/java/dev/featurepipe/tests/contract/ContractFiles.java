package dev.featurepipe.tests.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the contract tests find the deployed files and their broken fixtures. */
final class ContractFiles {

  private ContractFiles() {}

  /**
   * The repository root: the nearest ancestor of the working directory holding the parent pom and
   * statemachines/. Surefire runs in tests/, an IDE may run in the root; both find the same place.
   */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("statemachines"))) {
        return d;
      }
    }
    throw new IllegalStateException("no ancestor of " + dir + " holds pom.xml and statemachines/");
  }

  static Path template() {
    return root().resolve("template.yaml");
  }

  /** Every statemachines/*.asl.json, sorted by name. */
  static List<Path> stateMachines() {
    return aslFilesIn(root().resolve("statemachines"));
  }

  static List<Path> aslFilesIn(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".asl.json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A broken fixture under src/test/resources/contract/. */
  static Path fixture(String relative) {
    URL url = ContractFiles.class.getResource("/contract/" + relative);
    if (url == null) {
      throw new IllegalStateException("missing test fixture contract/" + relative);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
