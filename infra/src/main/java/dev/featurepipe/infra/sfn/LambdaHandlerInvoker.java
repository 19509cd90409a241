package dev.featurepipe.infra.sfn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Invokes the handler classes of the SAM template's functions in-process, as the Java Lambda
 * runtime would: {@code RequestStreamHandler}s get the payload bytes, other handler methods ({@code
 * RequestHandler<I, O>} and plain methods taking an input and optionally a {@link Context}) get it
 * mapped by Jackson. A thrown exception is reported the runtime's way: the error is the exception's
 * fully qualified class name, the cause the runtime's JSON error document.
 *
 * <p>A function is resolved from its logical id, a name-qualified ARN ({@code
 * arn:aws:lambda:<region>:<account>:function:<LogicalId>[:alias]}) or {@code LogicalId[:alias]}.
 * Each function's handler is created once, through the {@link HandlerFactory}, and then shared by
 * concurrent invocations (Map iterations): unlike a Lambda sandbox, one instance serves several
 * requests at a time, so handlers must be thread-safe.
 */
public final class LambdaHandlerInvoker implements TaskInvoker {

  /** Creates a handler instance; the lead's local stack injects its clients here. */
  @FunctionalInterface
  public interface HandlerFactory {
    Object create(Class<?> handlerClass) throws Exception;
  }

  /**
   * The Lambda Java runtime's POJO serialisation is Jackson with unknown properties ignored and
   * ISO dates; close enough for handlers that take records.
   */
  private static final ObjectMapper POJO =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private final SamTemplate template;
  private final HandlerFactory factory;
  private final ConcurrentMap<String, Handler> handlers = new ConcurrentHashMap<>();

  public LambdaHandlerInvoker(SamTemplate template, HandlerFactory factory) {
    this.template = Objects.requireNonNull(template, "template");
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  @Override
  public JsonNode invoke(String functionRef, JsonNode payload, InvocationInfo info) throws TaskFailure {
    String logicalId = logicalId(functionRef);
    FunctionSpec spec = template.functions().get(logicalId);
    if (spec == null) {
      throw new TaskFailure(
          "Lambda.ResourceNotFoundException",
          "Function not found: " + functionRef + " (the SAM template defines " + String.join(", ", template.functions().keySet())
              + ")");
    }
    Handler handler = handler(spec);
    String requestId =
        UUID.nameUUIDFromBytes(
                (info.executionName() + "|" + info.statePath() + "|" + info.attempt()).getBytes(StandardCharsets.UTF_8))
            .toString();
    String invokedArn =
        functionRef.startsWith("arn:")
            ? functionRef
            : "arn:aws:lambda:" + RunnerOptions.DEFAULT_REGION + ":" + Execution.ACCOUNT + ":function:" + functionRef;
    Context context = new LocalLambdaContext(spec, requestId, invokedArn);
    byte[] output;
    try {
      output = handler.call(Json.bytes(payload), context);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      throw new TaskFailure(t.getClass().getName(), LambdaErrors.cause(t));
    }
    String text = new String(output, StandardCharsets.UTF_8);
    if (text.isBlank()) {
      return Json.NODES.nullNode();
    }
    try {
      return Json.parse(output);
    } catch (IOException e) {
      throw new TaskFailure(
          "Lambda.Unknown",
          "The function " + logicalId + " returned output that is not JSON: "
              + (text.length() > 200 ? text.substring(0, 200) + "..." : text));
    }
  }

  /** The template logical id a function reference names. */
  static String logicalId(String functionRef) {
    String ref = functionRef;
    int function = ref.indexOf(":function:");
    if (function >= 0) {
      ref = ref.substring(function + ":function:".length());
    }
    int qualifier = ref.indexOf(':');
    return qualifier < 0 ? ref : ref.substring(0, qualifier);
  }

  private Handler handler(FunctionSpec spec) throws TaskFailure {
    Handler cached = handlers.get(spec.logicalId());
    if (cached != null) {
      return cached;
    }
    synchronized (handlers) {
      cached = handlers.get(spec.logicalId());
      if (cached == null) {
        cached = load(spec);
        handlers.put(spec.logicalId(), cached);
      }
      return cached;
    }
  }

  /** Init failures are reported like the runtime's: the exception class as error, not cached. */
  private Handler load(FunctionSpec spec) throws TaskFailure {
    String className = spec.handlerClass();
    Class<?> type;
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      type = Class.forName(className, true, loader == null ? LambdaHandlerInvoker.class.getClassLoader() : loader);
    } catch (ClassNotFoundException e) {
      throw initFailure(e, "Class not found: " + className);
    } catch (LinkageError e) {
      throw initFailure(e, "Error loading class " + className + ": " + e.getMessage());
    }
    Object instance;
    try {
      instance = factory.create(type);
    } catch (Exception e) {
      Throwable cause = e instanceof InvocationTargetException target && target.getCause() != null ? target.getCause() : e;
      throw initFailure(cause, "Error loading class " + className + ": " + cause.getMessage());
    }
    if (!type.isInstance(instance)) {
      throw new IllegalStateException(
          "the HandlerFactory returned " + (instance == null ? "null" : instance.getClass().getName()) + " for " + className);
    }
    if (instance instanceof RequestStreamHandler stream && spec.handlerMethod().equals("handleRequest")) {
      return (input, context) -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        stream.handleRequest(new ByteArrayInputStream(input), out, context);
        return out.toByteArray();
      };
    }
    Method method = method(type, spec.handlerMethod());
    if (method == null) {
      throw initFailure(
          new NoSuchMethodException(className + "::" + spec.handlerMethod()),
          "No public method named " + spec.handlerMethod() + " with appropriate method signature found on class "
              + className);
    }
    return pojo(instance, method);
  }

  private static TaskFailure initFailure(Throwable error, String message) {
    String cause =
        "{\"errorMessage\":" + Json.compact(Json.NODES.textNode(message)) + ",\"errorType\":"
            + Json.compact(Json.NODES.textNode(error.getClass().getName())) + "}";
    return new TaskFailure(error.getClass().getName(), cause);
  }

  /**
   * The handler method: public, not a bridge, named as the template says, taking (input[, Context])
   * or (InputStream, OutputStream[, Context]); the most specific when several match.
   */
  private static Method method(Class<?> type, String name) {
    List<Method> candidates = new ArrayList<>();
    for (Method method : type.getMethods()) {
      if (!method.getName().equals(name) || method.isBridge() || method.isSynthetic()) {
        continue;
      }
      Class<?>[] params = method.getParameterTypes();
      boolean stream =
          params.length >= 2 && params[0] == InputStream.class && params[1] == OutputStream.class
              && (params.length == 2 || params.length == 3 && params[2] == Context.class);
      boolean pojo = params.length == 1 || params.length == 2 && params[1] == Context.class;
      if (stream || pojo) {
        candidates.add(method);
      }
    }
    candidates.sort((a, b) -> Integer.compare(b.getParameterCount(), a.getParameterCount()));
    for (Method method : candidates) {
      if (method.getParameterTypes()[0] != Object.class) {
        return method;
      }
    }
    return candidates.isEmpty() ? null : candidates.getFirst();
  }

  private static Handler pojo(Object instance, Method method) {
    Class<?>[] params = method.getParameterTypes();
    Object target = Modifier.isStatic(method.getModifiers()) ? null : instance;
    if (params.length >= 2 && params[0] == InputStream.class && params[1] == OutputStream.class) {
      return (input, context) -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object[] args =
            params.length == 3
                ? new Object[] {new ByteArrayInputStream(input), out, context}
                : new Object[] {new ByteArrayInputStream(input), out};
        invoke(method, target, args);
        return out.toByteArray();
      };
    }
    JavaType inputType = POJO.constructType(method.getGenericParameterTypes()[0]);
    boolean returnsNothing = method.getReturnType() == void.class;
    return (input, context) -> {
      Object argument = POJO.readValue(input, inputType);
      Object[] args = params.length == 2 ? new Object[] {argument, context} : new Object[] {argument};
      Object result = invoke(method, target, args);
      return returnsNothing ? new byte[0] : POJO.writeValueAsBytes(result);
    };
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @FunctionalInterface
  private interface Handler {
    byte[] call(byte[] input, Context context) throws Throwable;
  }
}
