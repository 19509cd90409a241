package dev.featurepipe.infra.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the repository root, which holds {@code infra/local} (the pinned npm tools) and the
 * default state directory. The launcher passes it as {@code -Dfeaturepipe.root}; tests and IDE
 * runs start somewhere below it (Surefire runs in the module directory), so the fallback walks up
 * from the working directory.
 */
public final class RepoRoot {

  public static final String ROOT_PROPERTY = "featurepipe.root";

  /** The file that marks the root, relative to it. */
  static final String MARKER = "infra/local/package.json";

  private RepoRoot() {}

  /** The repository root, or a {@link StackStartFailed} saying how to point at it. */
  public static Path locate() {
    String property = System.getProperty(ROOT_PROPERTY);
    if (property != null && !property.isBlank()) {
      Path root = Path.of(property).toAbsolutePath().normalize();
      if (!Files.isRegularFile(root.resolve(MARKER))) {
        throw new StackStartFailed(
            "-D" + ROOT_PROPERTY + "=" + property + " is not a FeaturePipe checkout: "
                + root.resolve(MARKER) + " is missing");
      }
      return root;
    }
    Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    return findFrom(start)
        .orElseThrow(
            () ->
                new StackStartFailed(
                    "Cannot find the FeaturePipe repository root: no directory from " + start
                        + " upwards contains " + MARKER + ". Run from inside the checkout or pass -D"
                        + ROOT_PROPERTY + "=<checkout>"));
  }

  static Optional<Path> findFrom(Path start) {
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(MARKER))) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }
}
