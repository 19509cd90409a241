package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** One execution's event history; events from concurrent iterations get ids in recording order. */
final class History {

  private final Clock clock;
  private final List<HistoryEvent> events = new ArrayList<>();

  History(Clock clock) {
    this.clock = clock;
  }

  /** Records an event and returns its id. */
  synchronized long add(long previousEventId, String type, String stateName, ObjectNode details) {
    long id = events.size() + 1L;
    events.add(new HistoryEvent(id, previousEventId, clock.instant(), type, stateName, details));
    return id;
  }

  synchronized List<HistoryEvent> events() {
    return List.copyOf(events);
  }
}
