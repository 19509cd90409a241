package dev.featurepipe.transform.engine.internal;

import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** How an Iceberg numeric type is summed exactly: as a long, as unscaled decimal digits, or as exact binary fractions. */
public enum NumericKind {
  INTEGRAL, DECIMAL, FLOATING;

  /** Null for a non-numeric type. */
  public static NumericKind of(Type t) {
    return switch (t.typeId()) {
      case INTEGER, LONG -> INTEGRAL;
      case DECIMAL -> DECIMAL;
      case FLOAT, DOUBLE -> FLOATING;
      default -> null;
    };
  }

  public static int scale(Type t) {
    return t.typeId() == Type.TypeID.DECIMAL ? ((Types.DecimalType) t).scale() : 0;
  }
}
