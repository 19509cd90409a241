package dev.featurepipe.extract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.ops.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExtractItemTest {

  /**
   * The Extract Map hands items over as JSON, where a whole object's range is written as null and
   * binds to a NullNode: it must still mean "all of it" (a small, unsplit CSV object failed with a
   * NullPointerException in the files connector before).
   */
  @Test
  void aNullRangeInPlannedItemJsonMeansTheWholeObject() {
    ExtractItem item = Json.read(("{\"sourceId\":\"orders\",\"chunkId\":\"a\",\"bucket\":\"b\",\"key\":\"k\",\"size\":1,"
        + "\"etag\":\"e\",\"range\":null}").getBytes(StandardCharsets.UTF_8), ExtractItem.class);
    assertThat(item.range()).isNull();
    assertThat(Json.read(Json.bytes(item), ExtractItem.class)).isEqualTo(item);
  }
}
