package dev.featurepipe.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Names of the deployed resources, from the function's environment (template.yaml Globals). */
public record LakeNames(
    String lakeBucket, String sourceBucket, String featureTable, String controlTable) {

  public static final String LAKE_BUCKET = "FEATUREPIPE_LAKE_BUCKET";
  public static final String SOURCE_BUCKET = "FEATUREPIPE_SOURCE_BUCKET";
  public static final String FEATURE_TABLE = "FEATUREPIPE_FEATURE_TABLE";
  public static final String CONTROL_TABLE = "FEATUREPIPE_CONTROL_TABLE";

  public LakeNames {
    List<String> missing = new ArrayList<>();
    if (lakeBucket == null || lakeBucket.isBlank()) missing.add("lakeBucket");
    if (sourceBucket == null || sourceBucket.isBlank()) missing.add("sourceBucket");
    if (featureTable == null || featureTable.isBlank()) missing.add("featureTable");
    if (controlTable == null || controlTable.isBlank()) missing.add("controlTable");
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("LakeNames: must not be blank: " + missing);
    }
  }

  public static LakeNames fromEnvironment(Map<String, String> env) {
    List<String> missing = new ArrayList<>();
    for (String name : List.of(LAKE_BUCKET, SOURCE_BUCKET, FEATURE_TABLE, CONTROL_TABLE)) {
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw new dev.featurepipe.errors.ConfigInvalid(
          "environment variables not set: " + String.join(", ", missing)
              + " (template.yaml sets them in Globals; locally the embedded stack does)");
    }
    return new LakeNames(
        env.get(LAKE_BUCKET), env.get(SOURCE_BUCKET), env.get(FEATURE_TABLE), env.get(CONTROL_TABLE));
  }
}
