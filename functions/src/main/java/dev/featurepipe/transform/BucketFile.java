package dev.featurepipe.transform;

import dev.featurepipe.lake.FileEntry;

/** The Silver data file of one Iceberg bucket of a group's partition. */
public record BucketFile(int bucket, FileEntry file) {}
