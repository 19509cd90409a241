package dev.featurepipe.online;

import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * One entity's features of one group version, decoded with the group's meta: {@code values} holds
 * the named features in the group's order, typed per meta ({@code long} as Long, {@code double} as
 * Double, {@code decimal(p,s)} as BigDecimal at scale s, strings, top-k lists as lists of maps);
 * a feature that was null is absent. {@code vector} is the packed vector decoded (positions labelled
 * by {@code meta.vector().order()}), or null when the group has none.
 */
public record EntityFeatures(
    String key, String group, LocalDate asOf, String runId, SequencedMap<String, Object> values, float[] vector) {

  public EntityFeatures {
    values = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(values));
    vector = vector == null ? null : vector.clone();
  }

  public Optional<Object> value(String feature) {
    return Optional.ofNullable(values.get(feature));
  }

  @Override
  public float[] vector() {
    return vector == null ? null : vector.clone();
  }
}
