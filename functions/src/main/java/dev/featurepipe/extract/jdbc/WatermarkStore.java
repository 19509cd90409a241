package dev.featurepipe.extract.jdbc;

import dev.featurepipe.extract.CheckpointStore;
import java.util.Optional;

/**
 * Where the watermark windows of incremental JDBC sources live between runs (see {@link
 * WatermarkWindows} for what is stored under which key). In the pipeline it is the control table's
 * {@link CheckpointStore}; the interface lets tests keep it in memory.
 */
public interface WatermarkStore {

  Optional<String> get(String sourceId, String key);

  void put(String sourceId, String key, String value);

  /**
   * Writes {@code value} only if the current value is {@code expected} (empty: no value yet), in
   * one atomic step; false when it was something else, so two planners never both advance a source.
   */
  boolean putIf(String sourceId, String key, Optional<String> expected, String value);

  static WatermarkStore of(CheckpointStore checkpoints) {
    return new WatermarkStore() {
      @Override
      public Optional<String> get(String sourceId, String key) {
        return checkpoints.get(sourceId, key);
      }

      @Override
      public void put(String sourceId, String key, String value) {
        checkpoints.put(sourceId, key, value);
      }

      @Override
      public boolean putIf(String sourceId, String key, Optional<String> expected, String value) {
        return checkpoints.putIf(sourceId, key, expected, value);
      }
    };
  }
}
