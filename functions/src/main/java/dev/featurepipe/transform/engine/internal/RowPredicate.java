package dev.featurepipe.transform.engine.internal;

import java.util.List;

/** A {@code {column, in: [...]}} filter compiled to a slot of the projected row. */
final class RowPredicate {
  private final int slot;
  private final Object[] values;

  RowPredicate(int slot, List<Object> values) {
    this.slot = slot;
    this.values = values.toArray();
  }

  boolean test(Object[] row) {
    Object v = row[slot];
    if (v == null) {
      return false;
    }
    if (v instanceof CharSequence cs && !(v instanceof String)) {
      v = cs.toString();
    }
    for (Object x : values) {
      if (x.equals(v)) {
        return true;
      }
    }
    return false;
  }
}
