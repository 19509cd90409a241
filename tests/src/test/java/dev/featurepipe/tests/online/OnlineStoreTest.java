package dev.featurepipe.tests.online;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** One embedded stack per test class; each test starts from an empty feature table. */
abstract class OnlineStoreTest {

  @TempDir static Path stateDir;
  static OnlineStoreFixture store;

  @BeforeAll
  static void startStack() {
    store = new OnlineStoreFixture(stateDir);
  }

  @AfterAll
  static void stopStack() {
    store.close();
  }

  @BeforeEach
  void emptyTable() {
    store.clear();
  }
}
