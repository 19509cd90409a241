package dev.featurepipe.tests.e2e;

import dev.featurepipe.infra.demo.DemoEvent;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * product_stats computed the plain way, straight from the generator's raw events, sharing no code
 * with the pipeline: the oracle the end-to-end tests compare against.
 */
record ExpectedProductStats(long views, long clicks, long addToCarts, long purchases, long distinctUsers,
    BigDecimal revenue) {

  static Map<String, ExpectedProductStats> compute(List<DemoEvent> events) {
    Map<String, Set<String>> seen = new TreeMap<>();
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, Set<String>> users = new TreeMap<>();
    Map<String, BigDecimal> revenue = new TreeMap<>();
    for (DemoEvent e : events) {
      if (!seen.computeIfAbsent(e.productId(), p -> new HashSet<>()).add(e.eventId())) {
        continue; // a replayed event counts once
      }
      long[] c = counts.computeIfAbsent(e.productId(), p -> new long[4]);
      switch (e.eventType()) {
        case "view" -> c[0]++;
        case "click" -> c[1]++;
        case "add_to_cart" -> c[2]++;
        case "purchase" -> {
          c[3]++;
          revenue.merge(e.productId(), e.price().multiply(BigDecimal.valueOf(e.quantity())), BigDecimal::add);
        }
        default -> throw new AssertionError(e.eventType());
      }
      users.computeIfAbsent(e.productId(), p -> new HashSet<>()).add(e.userId());
    }
    Map<String, ExpectedProductStats> out = new TreeMap<>();
    counts.forEach((p, c) -> out.put(p, new ExpectedProductStats(c[0], c[1], c[2], c[3], users.get(p).size(),
        revenue.getOrDefault(p, BigDecimal.ZERO).setScale(2))));
    return out;
  }
}
