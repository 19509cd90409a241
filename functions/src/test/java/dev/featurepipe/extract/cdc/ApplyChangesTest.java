package dev.featurepipe.extract.cdc;

import static dev.featurepipe.extract.cdc.CdcTestSupport.DEBEZIUM_ORDERS;
import static dev.featurepipe.extract.cdc.CdcTestSupport.DMS_ORDERS;
import static dev.featurepipe.extract.cdc.CdcTestSupport.connector;
import static dev.featurepipe.extract.cdc.CdcTestSupport.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;

class ApplyChangesTest {

  /** One generated DMS change, before it is written into a file. */
  record Change(String op, long position, long id, String status, String amount) {
    String csv() {
      return op + "," + position + "," + id + ",\"" + status + "\"," + (amount == null ? "" : amount);
    }
  }

  /** Seeded changes over 12 keys with distinct, shuffled positions, split across two files. */
  private static List<List<Change>> twoFiles(long seed) {
    Random random = new Random(seed);
    List<Long> positions = new ArrayList<>();
    for (long p = 1; p <= 300; p++) {
      positions.add(p * 7);
    }
    Collections.shuffle(positions, random);
    List<List<Change>> files = List.of(new ArrayList<>(), new ArrayList<>());
    for (long position : positions) {
      String op = List.of("I", "U", "U", "D").get(random.nextInt(4));
      long id = 1 + random.nextInt(12);
      String status = "s, " + random.nextInt(100);
      String amount = random.nextBoolean() ? null : random.nextInt(10_000) + "." + (10 + random.nextInt(90));
      files.get(random.nextInt(2)).add(new Change(op, position, id, status, amount));
    }
    return files;
  }

  private static String text(List<Change> changes) {
    StringBuilder b = new StringBuilder();
    for (Change c : changes) {
      b.append(c.csv()).append('\n');
    }
    return b.toString();
  }

  /** The oracle: replay by position with a plain TreeMap, one row per key as [position, status, amount]. */
  private static List<List<Object>> replay(List<List<Change>> files) {
    TreeMap<Long, Change> byPosition = new TreeMap<>();
    for (List<Change> file : files) {
      for (Change c : file) {
        byPosition.put(c.position(), c);
      }
    }
    TreeMap<Long, List<Object>> state = new TreeMap<>();
    for (Change c : byPosition.values()) {
      if (c.op().equals("D")) {
        state.remove(c.id());
      } else {
        state.put(c.id(), java.util.Arrays.asList(c.position(), c.id(), c.status(),
            c.amount() == null ? null : new BigDecimal(c.amount())));
      }
    }
    return new ArrayList<>(state.values());
  }

  private static List<List<Object>> rows(List<Record> snapshot) {
    List<List<Object>> out = new ArrayList<>();
    for (Record r : snapshot) {
      List<Object> row = new ArrayList<>();
      for (int i = 0; i < r.size(); i++) {
        row.add(r.get(i));
      }
      out.add(row);
    }
    return out;
  }

  private static List<Record> changeLog(CdcConnector c, List<String> keys, List<String> texts) {
    List<Record> log = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      CdcTestSupport.Collected out = parse(c, keys.get(i), texts.get(i));
      assertThat(out.rejected).isEmpty();
      log.addAll(out.rows);
    }
    return log;
  }

  @Test
  void snapshotOfOutOfOrderChangesAcrossTwoFilesMatchesAPlainReplayByPosition() {
    CdcConnector c = connector(DMS_ORDERS);
    for (long seed = 1; seed <= 5; seed++) {
      List<List<Change>> files = twoFiles(seed);
      List<Record> log = changeLog(c, List.of("a.csv", "b.csv"), List.of(text(files.get(0)), text(files.get(1))));

      List<List<Object>> expected = replay(files);

      assertThat(expected).as("seed %d leaves some keys alive and deletes others", seed).hasSizeBetween(1, 11);
      assertThat(rows(c.applyChanges(List.of(), log))).as("seed %d", seed).isEqualTo(expected);
    }
  }

  @Test
  void fileOrderAndRowOrderDoNotChangeTheSnapshot() {
    CdcConnector c = connector(DMS_ORDERS);
    List<List<Change>> files = twoFiles(42);
    List<Record> forward = changeLog(c, List.of("a.csv", "b.csv"), List.of(text(files.get(0)), text(files.get(1))));
    List<Record> backward = changeLog(c, List.of("b.csv", "a.csv"), List.of(text(files.get(1)), text(files.get(0))));
    List<Record> shuffled = new ArrayList<>(forward);
    Collections.shuffle(shuffled, new Random(7));

    List<List<Object>> expected = rows(c.applyChanges(List.of(), forward));
    assertThat(rows(c.applyChanges(List.of(), backward))).isEqualTo(expected);
    assertThat(rows(c.applyChanges(List.of(), shuffled))).isEqualTo(expected);
  }

  @Test
  void deleteThenReinsertKeepsTheReinsertedRow() {
    CdcConnector c = connector(DMS_ORDERS);
    List<Record> log = parse(c, "a.csv", "I,3,1,reborn,\nD,2,1,old,\nI,1,1,old,1.00\n").rows;

    assertThat(rows(c.applyChanges(List.of(), log)))
        .containsExactly(java.util.Arrays.asList(3L, 1L, "reborn", null));
  }

  @Test
  void updateForAKeyNeverInsertedUpserts() {
    CdcConnector c = connector(DMS_ORDERS);
    List<Record> log = parse(c, "a.csv", "U,5,9,late,2.50\n").rows;

    assertThat(rows(c.applyChanges(List.of(), log)))
        .containsExactly(List.of(5L, 9L, "late", new BigDecimal("2.50")));
  }

  @Test
  void changesAtOnePositionForOneKeyResolveByObjectKeyThenLine() {
    CdcConnector c = connector(DMS_ORDERS);
    List<Record> log = new ArrayList<>();
    log.addAll(parse(c, "b.csv", "U,5,1,b-first,\nU,5,1,b-second,\n").rows);
    log.addAll(parse(c, "a.csv", "U,5,1,a-only,\n").rows);

    assertThat(rows(c.applyChanges(List.of(), log)))
        .containsExactly(java.util.Arrays.asList(5L, 1L, "b-second", null));
  }

  @Test
  void previousSnapshotIsCarriedAndStaleChangesAreSkipped() {
    CdcConnector c = connector(DMS_ORDERS);
    List<Record> yesterday = c.applyChanges(List.of(), parse(c, "y.csv", "I,10,1,kept,\nI,11,2,old,\nI,12,3,gone,\n").rows);
    List<Record> today = parse(c, "t.csv", "U,9,1,stale,\nU,20,2,new,\nD,21,3,gone,\nI,22,4,fresh,\n").rows;

    assertThat(rows(c.applyChanges(yesterday, today))).containsExactly(
        java.util.Arrays.asList(10L, 1L, "kept", null),
        java.util.Arrays.asList(20L, 2L, "new", null),
        java.util.Arrays.asList(22L, 4L, "fresh", null));
  }

  @Test
  void debeziumSnapshotReadsThenStreamedChangesBuildTheSnapshot() {
    CdcConnector c = connector(DEBEZIUM_ORDERS);
    List<Record> log = new ArrayList<>();
    log.addAll(parse(c, "stream.jsonl", """
        {"before":{"id":1},"after":null,"op":"d","source":{"lsn":30}}
        {"before":{"id":2},"after":{"id":2,"status":"paid","amount":9.99},"op":"u","source":{"lsn":31}}
        """).rows);
    log.addAll(parse(c, "snapshot.jsonl", """
        {"before":null,"after":{"id":1,"status":"new","amount":1.00},"op":"r","source":{"lsn":20}}
        {"before":null,"after":{"id":2,"status":"new","amount":2.00},"op":"r","source":{"lsn":20}}
        {"before":null,"after":{"id":3,"status":"new","amount":3.00},"op":"r","source":{"lsn":20}}
        """).rows);

    assertThat(rows(c.applyChanges(List.of(), log))).containsExactly(
        List.of(31L, 2L, "paid", new BigDecimal("9.99")),
        List.of(20L, 3L, "new", new BigDecimal("3.00")));
  }

  @Test
  void bronzeOrderIsTotalOverTheChangeLog() {
    CdcConnector c = connector(DMS_ORDERS);
    List<Record> log = new ArrayList<>();
    log.addAll(parse(c, "b.csv", "U,5,1,x,\nU,5,1,y,\nI,4,2,z,\n").rows);
    log.addAll(parse(c, "a.csv", "U,5,1,w,\n").rows);
    log.sort(c.bronzeOrder());

    assertThat(log).extracting(r -> r.getField("status")).containsExactly("z", "w", "x", "y");
    for (int i = 0; i + 1 < log.size(); i++) {
      assertThat(c.bronzeOrder().compare(log.get(i), log.get(i + 1))).isNegative();
    }
  }
}
