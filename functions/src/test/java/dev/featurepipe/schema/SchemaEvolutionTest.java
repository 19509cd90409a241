package dev.featurepipe.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurepipe.errors.SchemaIncompatible;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {

  private static final LocalDate D = LocalDate.of(2026, 11, 20);
  private static final SourceSchema V1 = SourceSchema.parse("t", "users.v1", """
      {"type": "record", "name": "users", "fields": [
        {"name": "id", "type": "long"},
        {"name": "email", "type": "string", "doc": "kept"}]}
      """.getBytes(StandardCharsets.UTF_8));

  private static ObservedSchema.Column fits(String name) {
    return new ObservedSchema.Column(name, "db", "string", true, true);
  }

  private static ObservedSchema.Column unregistered(String name, String type, boolean nullable) {
    return new ObservedSchema.Column(name, "db " + type, type, nullable, null);
  }

  private static ObservedSchema observed(ObservedSchema.Column... columns) {
    return new ObservedSchema("table users", Arrays.asList(columns));
  }

  @Test
  void theNextVersionAppendsTheNewNullableColumnsAsOptionalAndAvroReadsOldDataWithIt() {
    SchemaEvolution.Decision d = SchemaEvolution.decide("users", D, List.of(V1), Arrays.asList((LocalDate) null),
        Set.of(), observed(fits("id"), fits("email"), unregistered("score", "decimal(10,3)", true),
            unregistered("seen", "timestamptz", true)));
    assertThat(d.index()).isZero();
    SourceSchema v2 = V1.withOptionalFields(d.added(), "new");
    assertThat(v2.ref()).isEqualTo("users.v2");
    assertThat(v2.fields()).extracting(f -> f.name() + ":" + f.type() + ":" + f.required() + ":" + f.added())
        .containsExactly("id:long:true:false", "email:string:true:false", "score:decimal(10,3):false:true",
            "seen:timestamptz:false:true");
    assertThat(v2.definition()).contains("\"doc\" : \"kept\"");
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(new Schema.Parser().parse(v2.definition()),
        new Schema.Parser().parse(V1.definition())).getType())
        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void columnsTheSourceAlreadyHadAreNeverRegisteredAndUnholdableOnesAreOnlyNoted() {
    SchemaEvolution.Decision d = SchemaEvolution.decide("users", D, List.of(V1), Arrays.asList((LocalDate) null),
        Set.of("password_hash"), observed(fits("id"), fits("email"), unregistered("password_hash", "string", true),
            unregistered("payload", null, true), unregistered("Full Name", "string", true)));
    assertThat(d.added()).isEmpty();
    assertThat(d.notes()).hasSize(2).anySatisfy(n -> assertThat(n).startsWith("column payload (db null) is not registered"))
        .anySatisfy(n -> assertThat(n).startsWith("column \"Full Name\" is not registered"));
  }

  @Test
  void missingRetypedAndNewRequiredColumnsFailWithEveryDifference() {
    assertThatThrownBy(() -> SchemaEvolution.decide("users", D, List.of(V1), Arrays.asList((LocalDate) null), Set.of(),
        observed(new ObservedSchema.Column("id", "varchar", "string", false, false), unregistered("mail", "string", true))))
        .isInstanceOf(SchemaIncompatible.class)
        .hasMessageContaining("~ id: registered long, the source now has varchar")
        .hasMessageContaining("- email (string, required): missing from the source")
        .hasMessageContaining("+ mail: new, db string")
        .hasMessageContaining("schemas/users.v2.avsc");
    assertThatThrownBy(() -> SchemaEvolution.decide("users", D, List.of(V1), Arrays.asList((LocalDate) null), Set.of(),
        observed(fits("id"), fits("email"), unregistered("tier", "string", false))))
        .isInstanceOf(SchemaIncompatible.class).hasMessageContaining("+ tier: new, db string NOT NULL");
  }

  @Test
  void onlyADateBeforeAVersionWasFirstUsedMayMatchTheOneBefore() {
    SourceSchema v2 = V1.withOptionalFields(List.of(new SourceSchema.Field("coupon", "string", false, true)), "x");
    List<LocalDate> firstUsed = new ArrayList<>(Arrays.asList(null, D));
    ObservedSchema old = new ObservedSchema("s3://b/k", List.of(fits("id"), fits("email")),
        new java.util.TreeMap<>(java.util.Map.of("coupon", "s3://b/k")));
    assertThat(SchemaEvolution.decide("users", D.minusDays(1), List.of(V1, v2), firstUsed, Set.of(), old).index())
        .isZero();
    assertThatThrownBy(() -> SchemaEvolution.decide("users", D, List.of(V1, v2), firstUsed, Set.of(), old))
        .isInstanceOf(SchemaIncompatible.class).hasMessageContaining("- coupon (string): missing from s3://b/k");
  }
}
