package dev.featurepipe.transform.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.extract.ClickstreamSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;

class TileBuilderTest {

  @Test
  void aDimensionWithARepeatedKeyIsRejectedBeforeAnyJoin() {
    List<Record> products = new ArrayList<>(EngineFixtures.products());
    products.add(EngineFixtures.products().get(3));
    assertThatThrownBy(() -> new TileBuilder(EngineFixtures.userActivity(), ClickstreamSchema.BRONZE,
        Map.of("products", products), Map.of("products", EngineFixtures.PRODUCTS)))
        .isInstanceOf(InvalidInput.class)
        .hasMessage("dimension products has key product_id = p3 twice; a join needs one row per key (dedupe the"
            + " dimension first)");
  }

  @Test
  void aJoinWithoutItsDimensionRowsIsRejected() {
    assertThatThrownBy(() -> new TileBuilder(EngineFixtures.userActivity(), ClickstreamSchema.BRONZE, Map.of(),
        Map.of("products", EngineFixtures.PRODUCTS)))
        .isInstanceOf(InvalidInput.class)
        .hasMessage("feature group user_activity joins products but no rows of it were given; pass that source's"
            + " Bronze partition");
  }

  @Test
  void countsEveryRowAsKeptDuplicateOrSkipped() {
    List<Record> rows = EngineFixtures.clickstream(3, 2000);
    TileBuilder b = EngineFixtures.builder(EngineFixtures.userActivity());
    b.addAll(rows);
    List<Record> tiles = b.finish();
    long distinctEvents = rows.stream().map(r -> r.getField("user_id") + "\u0000" + r.getField("event_id"))
        .distinct().count();
    assertThat(b.rowsIn()).isEqualTo(rows.size());
    assertThat(b.duplicates()).isEqualTo(rows.size() - distinctEvents).isPositive();
    assertThat(b.skipped()).isZero();
    assertThat(tiles).extracting(t -> t.getField("day")).doesNotContainNull();
  }
}
