package dev.featurepipe.schema;

import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.errors.SchemaIncompatible;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Resolves a source's schema for a run against the registry: records the config's version the
 * first time it is used (and refuses a config file that no longer matches what was recorded under
 * its name: a registered version never changes), decides with {@link SchemaEvolution}, and
 * registers the next version when the source gained nullable columns. Concurrent planners agree
 * through the registry's conditional writes: whoever stores a version number first wins, and the
 * other decides again against it.
 */
public final class SchemaResolver {

  /** The version a run reads a source with; {@code registeredNow}: this run stored it. */
  public record Resolved(SourceSchema schema, int baselineFields, boolean registeredNow, String change,
      List<String> notes) {}

  private static final int ATTEMPTS = 3;

  private final SchemaRegistry registry;

  public SchemaResolver(SchemaRegistry registry) {
    this.registry = registry;
  }

  public Resolved resolve(String sourceId, SourceSchema baseline, ObservedSchema observed, String runId,
      LocalDate date) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      List<SchemaRegistry.Version> stored = registry.versions(baseline.subject());
      List<String> columns = observed.columns().stream().map(ObservedSchema.Column::name).toList();
      SchemaRegistry.Version base = find(stored, baseline.version())
          .orElseGet(() -> registry.register(new SchemaRegistry.Version(baseline, "config", sourceId, runId, date,
              "schemas/" + SourceSchema.fileName(baseline.ref()), columns)));
      if (!base.schema().fields().equals(baseline.fields())) {
        throw new ConfigInvalid("sources[" + sourceId + "].schema: schemas/" + SourceSchema.fileName(baseline.ref())
            + " is not the " + baseline.ref() + " registered by run " + base.runId() + " (" + base.origin()
            + "): a registered version never changes. Put the change in " + baseline.subject() + ".v"
            + (stored.get(stored.size() - 1).schema().version() + 1) + " instead; registered fields "
            + base.schema().fields() + ", file fields " + baseline.fields());
      }
      List<SourceSchema> chain = new ArrayList<>(List.of(baseline));
      List<LocalDate> firstUsed = new ArrayList<>();
      firstUsed.add(null);
      SchemaRegistry.Version newest = base;
      for (int n = baseline.version() + 1; ; n++) {
        Optional<SchemaRegistry.Version> v = find(stored, n);
        if (v.isEmpty()) {
          break;
        }
        List<SourceSchema.Field> fields = v.get().schema().fields();
        if (fields.size() < baseline.fields().size()
            || !fields.subList(0, baseline.fields().size()).equals(baseline.fields())) {
          throw new ConfigInvalid("sources[" + sourceId + "].schema names " + baseline.ref() + ", but the registry's "
              + v.get().schema().ref() + " (" + v.get().origin() + ", run " + v.get().runId()
              + ") does not extend it; name the newest version in the config");
        }
        chain.add(v.get().schema());
        firstUsed.add(v.get().registeredFor());
        newest = v.get();
      }
      SchemaEvolution.Decision d = SchemaEvolution.decide(sourceId, date, chain, firstUsed,
          new java.util.TreeSet<>(newest.sourceColumns()), observed);
      if (d.added().isEmpty()) {
        return new Resolved(chain.get(d.index()), baseline.fields().size(), false, null, d.notes());
      }
      SourceSchema latest = chain.get(chain.size() - 1);
      SourceSchema next = latest.withOptionalFields(d.added(),
          "Registered by FeaturePipe: a new nullable column of source " + sourceId + ", optional for backward "
              + "compatibility");
      SchemaRegistry.Version won = registry.register(
          new SchemaRegistry.Version(next, "observed", sourceId, runId, date, d.change(), columns));
      if (won.schema().fields().equals(next.fields())) {
        return new Resolved(won.schema(), baseline.fields().size(), won.runId().equals(runId), d.change(), d.notes());
      }
      // Another run registered a different next version first: decide again against it.
    }
    throw new SchemaIncompatible("source " + sourceId + ": the schema registry kept changing while this run "
        + "registered " + baseline.subject() + " versions (" + ATTEMPTS + " attempts); rerun the date");
  }

  private static Optional<SchemaRegistry.Version> find(List<SchemaRegistry.Version> stored, int version) {
    return stored.stream().filter(v -> v.schema().version() == version).findFirst();
  }
}
