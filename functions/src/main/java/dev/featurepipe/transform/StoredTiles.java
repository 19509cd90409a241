package dev.featurepipe.transform;

import java.time.LocalDate;

/** A committed tile file of an earlier date, as the tile table's Iceberg scan lists it. */
public record StoredTiles(int bucket, LocalDate dt, String key, long bytes, long rows) {}
