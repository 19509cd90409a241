package dev.featurepipe.infra.sfn;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Storage stand-in for tests of the runner's own logic: a sorted in-memory bucket/key map. The
 * end-to-end tests exercise {@link S3ObjectStore} against a real S3-compatible server.
 */
final class InMemoryObjectStore implements ObjectStore {

  private final SortedMap<String, byte[]> objects = new TreeMap<>();
  private final List<String> contentTypes = new ArrayList<>();

  @Override
  public synchronized byte[] get(String bucket, String key) throws NoSuchObjectException {
    byte[] bytes = objects.get(bucket + "/" + key);
    if (bytes == null) {
      throw new NoSuchObjectException(bucket, key);
    }
    return bytes.clone();
  }

  @Override
  public synchronized void put(String bucket, String key, byte[] bytes, String contentType) {
    objects.put(bucket + "/" + key, bytes.clone());
    contentTypes.add(contentType);
  }

  synchronized void putText(String bucket, String key, String text) {
    put(bucket, key, text.getBytes(StandardCharsets.UTF_8), "application/json");
  }

  synchronized String text(String bucket, String key) {
    byte[] bytes = objects.get(bucket + "/" + key);
    if (bytes == null) {
      throw new AssertionError("no object " + bucket + "/" + key + "; have " + objects.keySet());
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Every "bucket/key" stored, sorted. */
  synchronized List<String> keys() {
    return List.copyOf(objects.keySet());
  }

  synchronized List<String> contentTypes() {
    return List.copyOf(contentTypes);
  }
}
