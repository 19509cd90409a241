package dev.featurepipe.infra.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** {@code --name value} and {@code --flag} options plus positional arguments, checked against what a command takes. */
record Args(Map<String, String> options, List<String> positional) {

  static Args parse(String command, String[] argv, int from, Set<String> valued, Set<String> flags) {
    Map<String, String> options = new TreeMap<>();
    List<String> positional = new ArrayList<>();
    for (int i = from; i < argv.length; i++) {
      String a = argv[i];
      if (a.startsWith("--")) {
        String name = a.substring(2);
        String value = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (flags.contains(name) && value == null) {
          options.put(name, "true");
        } else if (valued.contains(name)) {
          if (value == null) {
            if (i + 1 >= argv.length) {
              throw new UsageError(command + ": --" + name + " needs a value");
            }
            value = argv[++i];
          }
          options.put(name, value);
        } else {
          java.util.TreeSet<String> known = new java.util.TreeSet<>(valued);
          known.addAll(flags);
          throw new UsageError(command + ": unknown option --" + name + "; " + command + " takes "
              + (known.isEmpty() ? "no options" : "--" + String.join(", --", known)));
        }
      } else {
        positional.add(a);
      }
    }
    return new Args(options, positional);
  }

  String get(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }

  boolean flag(String name) {
    return options.containsKey(name);
  }

  /** A {@code --name YYYY-MM-DD} option, checked strictly. */
  java.time.LocalDate date(String command, String name, String fallback) {
    String v = options.getOrDefault(name, fallback);
    if (v == null || !v.matches("\\d{4}-\\d{2}-\\d{2}")) {
      throw new UsageError(command + ": --" + name + " must be a date like 2026-11-24, got " + v);
    }
    try {
      return java.time.LocalDate.parse(v);
    } catch (java.time.format.DateTimeParseException e) {
      throw new UsageError(command + ": --" + name + " must be a date like 2026-11-24, got " + v);
    }
  }

  int intValue(String command, String name, int fallback) {
    String v = options.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageError(command + ": --" + name + " must be a whole number, got " + v);
    }
  }

  /** A mistake in the command line: printed without a stack trace, exit code 2. */
  static final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message);
    }
  }
}
