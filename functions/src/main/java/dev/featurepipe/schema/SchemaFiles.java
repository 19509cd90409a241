package dev.featurepipe.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where a config's {@code schemas/} directory is: beside the file, or inside the jar. */
public interface SchemaFiles {

  /** The bytes of {@code schemas/<fileName>}, if it exists. */
  Optional<byte[]> read(String fileName);

  /** Where it looked, for an error message. */
  String describe();

  /** No schema files (a config given as text, for tests). */
  SchemaFiles NONE = new SchemaFiles() {
    @Override
    public Optional<byte[]> read(String fileName) {
      return Optional.empty();
    }

    @Override
    public String describe() {
      return "no schemas directory (the config was given as text)";
    }
  };

  /** {@code dirs}, first match wins. */
  static SchemaFiles directories(List<Path> dirs) {
    List<Path> copy = List.copyOf(dirs);
    return new SchemaFiles() {
      @Override
      public Optional<byte[]> read(String fileName) {
        for (Path dir : copy) {
          Path file = dir.resolve(fileName);
          if (Files.isRegularFile(file)) {
            try {
              return Optional.of(Files.readAllBytes(file));
            } catch (IOException e) {
              throw new UncheckedIOException("cannot read " + file, e);
            }
          }
        }
        return Optional.empty();
      }

      @Override
      public String describe() {
        return copy.toString();
      }
    };
  }

  /** Resources under {@code prefix} (ending with /) on this class's class path. */
  static SchemaFiles classpath(String prefix) {
    return new SchemaFiles() {
      @Override
      public Optional<byte[]> read(String fileName) {
        try (InputStream in = SchemaFiles.class.getClassLoader().getResourceAsStream(prefix + fileName)) {
          return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read classpath:" + prefix + fileName, e);
        }
      }

      @Override
      public String describe() {
        return "classpath:" + prefix;
      }
    };
  }
}
