package dev.featurepipe.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.featurepipe.config.FeatureGroupConfig;
import dev.featurepipe.errors.ConfigInvalid;
import dev.featurepipe.ops.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.apache.iceberg.Table;

/**
 * Published feature group versions are immutable. A group version's definition (its config entry
 * minus {@code online_ttl_days}, as canonical JSON) is recorded in its Silver tables' property
 * {@value #PROPERTY} when they are created or first committed; a config whose definition of that
 * version differs is refused with the fields that changed. The schema check alone would miss an
 * edit that keeps the columns, such as a changed filter or window, which silently changes what a
 * published feature means.
 */
public final class PublishedDefinitions {

  public static final String PROPERTY = "featurepipe.definition";

  private static final int MAX_LISTED = 10;

  private PublishedDefinitions() {}

  /**
   * Refuses {@code group} when {@code table} records another definition of the same version. A
   * table without the property (created before it existed) passes; its next commit records it.
   */
  public static void check(FeatureGroupConfig group, Table table) {
    String published = table.properties().get(PROPERTY);
    if (published == null || published.equals(group.definition())) {
      return;
    }
    List<String> changes = new ArrayList<>();
    differences(Json.read(published.getBytes(java.nio.charset.StandardCharsets.UTF_8), JsonNode.class),
        Json.read(group.definition().getBytes(java.nio.charset.StandardCharsets.UTF_8), JsonNode.class),
        "feature_groups[" + group.name() + "]", changes);
    int shown = Math.min(changes.size(), MAX_LISTED);
    StringBuilder message = new StringBuilder();
    for (String change : changes.subList(0, shown)) {
      message.append(change).append('\n');
    }
    if (changes.size() > shown) {
      message.append("... and ").append(changes.size() - shown).append(" more changes\n");
    }
    message.append(group.versionedName()).append(" is published (table ").append(table.name())
        .append(") and a published version is immutable: revert the edit, or add the changed definition as version ")
        .append(group.version() + 1).append(" beside version ").append(group.version())
        .append(" (its own tables; version ").append(group.version()).append(" keeps serving until you remove it)");
    throw new ConfigInvalid(message.toString());
  }

  /** One line per changed leaf, object key or array length: {@code path: published X, config now Y}. */
  static void differences(JsonNode published, JsonNode now, String path, List<String> out) {
    if (published.isObject() && now.isObject()) {
      TreeSet<String> keys = new TreeSet<>();
      published.fieldNames().forEachRemaining(keys::add);
      now.fieldNames().forEachRemaining(keys::add);
      for (String key : keys) {
        JsonNode a = published.get(key);
        JsonNode b = now.get(key);
        if (a == null || b == null) {
          out.add(path + "." + key + ": published " + text(a) + ", config now " + text(b));
        } else {
          differences(a, b, path + "." + key, out);
        }
      }
    } else if (published.isArray() && now.isArray() && published.size() == now.size()) {
      Iterator<JsonNode> a = published.elements();
      Iterator<JsonNode> b = now.elements();
      for (int i = 0; a.hasNext(); i++) {
        differences(a.next(), b.next(), path + "[" + i + "]", out);
      }
    } else if (!published.equals(now)) {
      out.add(path + ": published " + text(published) + ", config now " + text(now));
    }
  }

  private static String text(JsonNode node) {
    return node == null ? "(absent)" : Json.string(node);
  }
}
