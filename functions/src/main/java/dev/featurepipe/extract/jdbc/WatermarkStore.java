package dev.featurepipe.extract.jdbc;

import dev.featurepipe.extract.CheckpointStore;
import java.util.Optional;

/**
 * Where a source's incremental watermark lives between runs. In the pipeline it is the control
 * table's {@link CheckpointStore}; the interface lets tests and the local runner keep it in memory.
 */
public interface WatermarkStore {

  /** The checkpoint key of JDBC watermarks in the control table ({@code sk}). */
  String KEY = "jdbc_watermark";

  /** The highest watermark already extracted, if any. */
  Optional<String> read(String sourceId);

  /** Records the watermark; called only after the rows it covers are sealed in Bronze. */
  void commit(String sourceId, String watermark);

  static WatermarkStore of(CheckpointStore checkpoints) {
    return new WatermarkStore() {
      @Override
      public Optional<String> read(String sourceId) {
        return checkpoints.get(sourceId, KEY);
      }

      @Override
      public void commit(String sourceId, String watermark) {
        checkpoints.put(sourceId, KEY, watermark);
      }
    };
  }
}
