package dev.featurepipe.infra.demo;

/**
 * One line the generator wrote into a source object: either a valid event, or a deliberately bad
 * line with the quarantine reason the pipeline is expected to give it.
 */
public record DemoLine(String objectKey, long lineNo, String text, DemoEvent event, String expectedReason) {

  public boolean valid() {
    return event != null;
  }
}
