package dev.featurepipe.infra.sfn;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** What every execution of one {@link LocalStepFunctions} shares. */
record Engine(TaskInvoker invoker, ObjectStore store, RunnerOptions options) {

  /** {@code arn:aws:states:<region>:<account>:<kind>:<resource>}. */
  String arn(String kind, String resource) {
    return "arn:aws:states:" + options.region() + ":" + Execution.ACCOUNT + ":" + kind + ":" + resource;
  }

  /**
   * Writes {@code <historyPrefix><stateMachineName>/<executionName>.json} when a history bucket is
   * configured. A Distributed Map child's state machine name is {@code <parent>/<label>}, so its
   * history lands under its parent's folder.
   *
   * @throws IllegalStateException when the store refuses the write: a run whose history is lost
   *     should not look healthy
   */
  void writeHistory(Execution execution) {
    if (options.historyBucket().isEmpty()) {
      return;
    }
    String bucket = options.historyBucket().get();
    String key = options.historyPrefix() + execution.stateMachineName + "/" + execution.name + ".json";
    try {
      store().put(bucket, key, Json.prettyBytes(document(execution)), "application/json");
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot write the history of execution " + execution.arn + " to s3://" + bucket + "/" + key + ": "
              + e.getMessage(),
          e);
    }
  }

  static ObjectNode document(Execution execution) {
    ObjectNode doc = Json.object();
    doc.put("executionArn", execution.arn);
    doc.put("stateMachineArn", execution.stateMachineArn);
    doc.put("name", execution.name);
    doc.put("status", execution.status());
    doc.put("startDate", Json.isoMillis(execution.startTime));
    doc.put("stopDate", Json.isoMillis(execution.stopTime()));
    doc.set("input", execution.input);
    switch (execution.outcome()) {
      case Execution.Succeeded succeeded -> doc.set("output", succeeded.output());
      case Execution.Failed failed -> {
        Execution.putIfPresent(doc, "error", failed.error());
        Execution.putIfPresent(doc, "cause", failed.cause());
      }
      case Execution.Aborted ignored -> {}
    }
    ArrayNode events = doc.putArray("events");
    for (HistoryEvent event : execution.history.events()) {
      ObjectNode node = events.addObject();
      node.put("id", event.id());
      node.put("previousEventId", event.previousEventId());
      node.put("timestamp", Json.isoMillis(event.timestamp()));
      node.put("type", event.type());
      if (!event.stateName().isEmpty()) {
        node.put("stateName", event.stateName());
      }
      node.set("details", event.details());
    }
    return doc;
  }
}
