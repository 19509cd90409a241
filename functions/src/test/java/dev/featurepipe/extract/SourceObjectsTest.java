package dev.featurepipe.extract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SourceObjectsTest {

  @Test
  void chunkIdsComeFromTheKeyNotItsPositionInTheListing() {
    assertThat(SourceObjects.chunkId("events-00001.jsonl.gz")).isEqualTo("events-00001");
    assertThat(SourceObjects.chunkId("hour=03/part 7.json")).isEqualTo("hour_03_part_7");
    assertThat(SourceObjects.chunkId("_weird.gz")).isEqualTo("x_weird");
    assertThat(SourceObjects.chunkId("orders.csv.gz")).isEqualTo("orders");
  }

  @Test
  void markerFilesAndFoldersAreNotData() {
    assertThat(SourceObjects.isIgnored("_SUCCESS")).isTrue();
    assertThat(SourceObjects.isIgnored("sub/.part.crc")).isTrue();
    assertThat(SourceObjects.isIgnored("sub/")).isTrue();
    assertThat(SourceObjects.isIgnored("events.jsonl.gz")).isFalse();
  }
}
