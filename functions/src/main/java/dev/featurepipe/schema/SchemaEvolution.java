package dev.featurepipe.schema;

import dev.featurepipe.errors.SchemaIncompatible;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Decides which registered version a source's observed schema is read with, and whether it adds a
 * version. The rules are Avro's BACKWARD compatibility, made strict for a lake whose Bronze must
 * stay readable by every version: a new nullable column is accepted (the next version declares it
 * optional, so older partitions read as null); a registered column that is missing, a type the
 * registered one cannot be filled from without loss (narrowed, or another type), or a new NOT NULL
 * column fails with {@code SchemaIncompatible}, listing every difference.
 *
 * <p>The newest version must match, except for a run date before a version was first used: data
 * from before a change may have the older shape (a backfill of last month's files), so such a date
 * may match the version before it, and so on down to the config's.
 */
public final class SchemaEvolution {

  /** Column names a version may add: Avro names that are also Bronze column names. */
  static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /**
   * The outcome: read with {@code versions.get(index)}; {@code added} (nullable new columns) make the
   * next version when non-empty, and {@code index} is then the newest; {@code notes}: columns left
   * out, one line each.
   */
  public record Decision(int index, List<SourceSchema.Field> added, String change, List<String> notes) {}

  private SchemaEvolution() {}

  /**
   * {@code versions}: the config's version first, then the registry's later ones, oldest first;
   * {@code firstUsed.get(i)}: the run date version {@code i} was first used for (null for the first);
   * {@code known}: the source's columns when the newest version was recorded, so only a column that
   * appeared since is new (one left out of the schema on purpose stays out).
   */
  public static Decision decide(String sourceId, LocalDate date, List<SourceSchema> versions,
      List<LocalDate> firstUsed, java.util.Set<String> known, ObservedSchema observed) {
    int latest = versions.size() - 1;
    for (int i = latest; i >= 0; i--) {
      SourceSchema v = versions.get(i);
      if (mismatches(v, observed).isEmpty()) {
        return i == latest ? extend(sourceId, i, v, known, observed) : older(i, v, versions.get(latest), observed);
      }
      if (i == 0 || firstUsed.get(i) == null || !date.isBefore(firstUsed.get(i))) {
        break; // this date is not older than the version: it must match it
      }
    }
    throw incompatible(sourceId, versions.get(latest), known, observed);
  }

  /** Registered columns the observed schema lacks or cannot fill, name to reason. */
  private static Map<String, String> mismatches(SourceSchema v, ObservedSchema observed) {
    Map<String, String> out = new LinkedHashMap<>();
    for (SourceSchema.Field f : v.fields()) {
      ObservedSchema.Column c = column(observed, f.name());
      if (c == null) {
        String absent = observed.absentIn().get(f.name());
        out.put(f.name(), "- " + describe(f) + ": missing" + (absent == null ? " from the source" : " from " + absent));
      } else if (Boolean.FALSE.equals(c.fits())) {
        out.put(f.name(), "~ " + f.name() + ": registered " + f.type() + ", the source now has " + c.nativeType()
            + ", which cannot fill it without loss");
      }
    }
    return out;
  }

  private static Decision extend(String sourceId, int index, SourceSchema latest, java.util.Set<String> known,
      ObservedSchema observed) {
    List<SourceSchema.Field> added = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<String> required = new ArrayList<>();
    for (ObservedSchema.Column c : observed.columns()) {
      if (known.contains(c.name()) || latest.fields().stream().anyMatch(f -> f.name().equals(c.name()))) {
        continue;
      }
      if (c.type() == null) {
        notes.add("column " + c.name() + " (" + c.nativeType() + ") is not registered: no Bronze type holds it "
            + "exactly (string, int, long, double, boolean, date, timestamptz, decimal); cast it in a query or view");
      } else if (!NAME.matcher(c.name()).matches()) {
        notes.add("column \"" + c.name() + "\" is not registered: not a valid Avro name; declare it by hand with a "
            + "read setting (source/pointer) in " + latest.subject() + ".v" + (latest.version() + 1));
      } else if (!c.nullable()) {
        required.add("+ " + c.name() + ": new, " + c.nativeType() + " NOT NULL: a new column must be optional "
            + "(older partitions have no value for it)");
      } else {
        added.add(new SourceSchema.Field(c.name(), c.type(), false, true));
      }
    }
    if (!required.isEmpty()) {
      throw new SchemaIncompatible(header(sourceId, latest, observed) + "\n  " + String.join("\n  ", required)
          + "\n" + footer(latest));
    }
    String change = added.isEmpty() ? null : "added optional " + String.join(", ",
        added.stream().map(f -> f.name() + " (" + f.type() + ")").toList());
    return new Decision(index, added, change, notes);
  }

  private static Decision older(int index, SourceSchema v, SourceSchema latest, ObservedSchema observed) {
    return new Decision(index, List.of(), null, List.of("read with " + v.ref() + ", not the newest " + latest.ref()
        + ": the run date is before " + latest.ref() + " was first used, and the data has the older shape ("
        + observed.where() + ")"));
  }

  private static SchemaIncompatible incompatible(String sourceId, SourceSchema latest, java.util.Set<String> known,
      ObservedSchema observed) {
    List<String> lines = new ArrayList<>(mismatches(latest, observed).values());
    List<String> added = new ArrayList<>();
    for (ObservedSchema.Column c : observed.columns()) {
      if (!known.contains(c.name()) && latest.fields().stream().noneMatch(f -> f.name().equals(c.name()))) {
        added.add(c.name());
        lines.add("+ " + c.name() + ": new, " + c.nativeType() + (c.nullable() ? "" : " NOT NULL"));
      }
    }
    boolean missing = lines.stream().anyMatch(l -> l.startsWith("- "));
    String hint = missing && !added.isEmpty() ? "\n(a renamed column shows as one missing and one new: "
        + "the old name's values stop, so it is not a compatible change)" : "";
    return new SchemaIncompatible(header(sourceId, latest, observed) + "\n  " + String.join("\n  ", lines) + hint
        + "\n" + footer(latest));
  }

  private static String header(String sourceId, SourceSchema latest, ObservedSchema observed) {
    return "source " + sourceId + ": " + observed.where() + " is not backward compatible with registered schema "
        + latest.ref() + " (accepted without a new config: new nullable columns):";
  }

  private static String footer(SourceSchema latest) {
    return "Nothing was extracted; Bronze, Silver and the online store keep their last good state. Restore the "
        + "source, or declare the change as a new version (schemas/" + latest.subject() + ".v" + (latest.version() + 1)
        + ".avsc, then sources[].schema: " + latest.subject() + ".v" + (latest.version() + 1)
        + ", and a new feature group version if a published feature reads the column).";
  }

  private static String describe(SourceSchema.Field f) {
    return f.name() + " (" + f.type() + (f.required() ? ", required" : "") + ")";
  }

  private static ObservedSchema.Column column(ObservedSchema observed, String name) {
    for (ObservedSchema.Column c : observed.columns()) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }
}
