package dev.featurepipe.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.featurepipe.errors.InvalidInput;
import dev.featurepipe.ops.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Parses the event into a record, makes one service call, writes the result as JSON. Stream
 * handlers with our own Jackson, rather than the runtime's POJO serializer, so records, field
 * names and key order are ours on Lambda and locally alike.
 */
abstract class StepHandler<I, O> implements RequestStreamHandler {

  private final Class<I> inputType;

  StepHandler(Class<I> inputType) {
    this.inputType = inputType;
  }

  @Override
  public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
    I request;
    try {
      request = Json.mapper().readValue(input, inputType);
    } catch (JsonProcessingException e) {
      throw new InvalidInput(getClass().getSimpleName() + " cannot read its event as " + inputType.getSimpleName()
          + ": " + e.getOriginalMessage());
    }
    output.write(Json.bytes(handle(request, context)));
  }

  abstract O handle(I request);

  /** For steps that need the invocation's context (its remaining time); the others ignore it. */
  O handle(I request, Context context) {
    return handle(request);
  }
}
