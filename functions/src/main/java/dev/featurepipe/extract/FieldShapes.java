package dev.featurepipe.extract;

import dev.featurepipe.errors.SchemaIncompatible;
import dev.featurepipe.ops.Log;
import java.util.ArrayList;
import java.util.List;

/**
 * How a chunk of schemaless records (a REST API's JSON) matched the source's declared fields, field
 * by field, counted while the records are read: no extra pass. A schema change shows as a field
 * that is absent from every record (removed or renamed) or whose every value fails to convert
 * (retyped); a bad record shows as one quarantined row. {@link #check} tells the two apart and fails
 * the chunk with {@code SchemaIncompatible} for the first, before its Bronze file is written.
 */
public final class FieldShapes {

  /**
   * Fewer records than this are judged record by record only: with a handful, a field missing from
   * all of them is as likely a few bad records as a change of the source.
   */
  static final int MIN_RECORDS = 10;

  /** A declared field; {@code where}: how it is read, for messages (e.g. {@code at /price/amount}). */
  public record Field(String name, String type, boolean required, String where) {}

  private final List<Field> fields;
  private final long[] absent;
  private final long[] converted;
  private final long[] unconvertible;
  private final String[] got;
  private long records;

  public FieldShapes(List<Field> fields) {
    this.fields = List.copyOf(fields);
    int n = fields.size();
    absent = new long[n];
    converted = new long[n];
    unconvertible = new long[n];
    got = new String[n];
  }

  public void record() {
    records++;
  }

  public void absent(int field) {
    absent[field]++;
  }

  public void converted(int field) {
    converted[field]++;
  }

  /** {@code what}: what the value was (e.g. "a JSON string"), for the message. */
  public void unconvertible(int field, String what) {
    unconvertible[field]++;
    if (got[field] == null) {
      got[field] = what;
    }
  }

  /**
   * Throws {@code SchemaIncompatible} listing every required field absent from all records and every
   * field none of whose values converted; logs optional fields absent from all records (an API may
   * omit a field that is null everywhere). {@code what} names the records, e.g. the chunk.
   */
  public void check(String what, String sourceId) {
    if (records < MIN_RECORDS) {
      return;
    }
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      if (absent[i] == records && f.required()) {
        lines.add("- " + f.name() + " (" + f.type() + ", required, " + f.where() + "): absent from every record");
      } else if (unconvertible[i] > 0 && converted[i] == 0) {
        lines.add("~ " + f.name() + " (" + f.type() + ", " + f.where() + "): none of its " + unconvertible[i]
            + " values converts; they are " + got[i] + " now");
      } else if (absent[i] == records) {
        Log.info("Extract", "schema_field_absent", "source", sourceId, "field", f.name(), "records", records,
            "note", "an optional field absent from every record: removed or renamed at the source, or null everywhere");
      }
    }
    if (!lines.isEmpty()) {
      throw new SchemaIncompatible(what + " no longer match the source's fields:\n  " + String.join("\n  ", lines)
          + "\nNothing of the chunk was written; Bronze, Silver and the online store keep their last good state. "
          + "Restore the fields at the source, or point the source's fields at their new place or type (a new "
          + "schema version if it names one).");
    }
  }
}
