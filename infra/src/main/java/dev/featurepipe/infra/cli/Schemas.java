package dev.featurepipe.infra.cli;

import dev.featurepipe.infra.stack.RepoRoot;
import dev.featurepipe.infra.local.LocalPipeline;
import dev.featurepipe.infra.stack.StackOptions;
import dev.featurepipe.schema.SchemaRegistry;
import dev.featurepipe.schema.SourceSchema;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./featurepipe schemas [SUBJECT...] [--export DIR]}: the source schema versions in the local
 * control table, and with {@code --export} their Avro files, so versions a run registered can be
 * committed beside the config ({@code config/schemas/users.v2.avsc}) and named by it.
 */
public final class Schemas {

  private Schemas() {}

  static void run(Args args, PrintStream out) {
    Path root = RepoRoot.locate();
    try (LocalPipeline local = LocalPipeline.start(root, StackOptions.defaults(root).withPorts(0, 0))) {
      SchemaRegistry registry = new SchemaRegistry(local.clients().dynamoDb(), local.context().names().controlTable());
      report(registry, args.positional(),
          args.options().containsKey("export") ? Optional.of(root.resolve(args.get("export", ""))) : Optional.empty(),
          out);
    }
  }

  /**
   * Prints each version of {@code subjects} (all when empty), one line each; with {@code exportDir},
   * writes {@code <subject>.v<N>.avsc} for each. A file already there is kept if it declares the
   * same fields (the config's own file, with its formatting), and refused if it does not: a
   * registered version never changes.
   */
  public static void report(SchemaRegistry registry, List<String> subjects, Optional<Path> exportDir, PrintStream out) {
    List<String> names = subjects.isEmpty() ? registry.subjects() : subjects;
    if (names.isEmpty()) {
      out.println("no source schema versions registered yet: a run records them when it plans a jdbc or s3_files "
          + "source that names a schema");
      return;
    }
    for (String subject : names) {
      List<SchemaRegistry.Version> versions = registry.versions(subject);
      if (versions.isEmpty()) {
        throw new IllegalStateException("no versions of schema " + subject + "; registered subjects: "
            + registry.subjects());
      }
      for (SchemaRegistry.Version v : versions) {
        SourceSchema s = v.schema();
        String exported = exportDir.map(dir -> " -> " + export(dir, s)).orElse("");
        out.printf("%-24s %-8s %s  source %s  run %s  sha256 %s  %s%s%n", s.ref(), v.origin(), v.registeredFor(),
            v.sourceId(), v.runId(), s.fingerprint().substring(0, 12), v.change() == null ? "" : v.change(), exported);
      }
    }
  }

  private static String export(Path dir, SourceSchema s) {
    Path file = dir.resolve(SourceSchema.fileName(s.ref()));
    try {
      if (Files.exists(file)) {
        SourceSchema there = SourceSchema.parse(file.toString(), s.ref(), Files.readAllBytes(file));
        if (!there.fields().equals(s.fields())) {
          throw new IllegalStateException(file + " declares " + there.fields() + ", but the registered " + s.ref()
              + " has " + s.fields() + ": a registered version never changes; move the file's change to a new version");
        }
        return file + " (kept)";
      }
      Files.createDirectories(dir);
      Files.writeString(file, s.definition(), StandardCharsets.UTF_8);
      return file + " (written)";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export " + s.ref() + " to " + file, e);
    }
  }
}
