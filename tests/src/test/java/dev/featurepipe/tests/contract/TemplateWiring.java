package dev.featurepipe.tests.contract;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How template.yaml, the state machines, the handler classes and events/ fit together.
 *
 * <p>One name per step: ASL state {@code X} invokes {@code ${XFunctionArn}}, which the state
 * machine's DefinitionSubstitutions maps to the alias of {@code XFunction}, whose handler is
 * {@code dev.featurepipe.handlers.XHandler::handleRequest} and whose sample event is
 * {@code events/x.json} (kebab case; {@code events/x.variant.json} for more samples).
 */
final class TemplateWiring {

  static final String STATE_MACHINE = "AWS::Serverless::StateMachine";
  static final String FUNCTION = "AWS::Serverless::Function";
  static final String HANDLERS_PACKAGE = "dev.featurepipe.handlers.";
  static final String ALIAS = "live";

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");
  private static final Pattern FUNCTION_ARN = Pattern.compile("\\$\\{([A-Za-z0-9]+)FunctionArn}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Object> template;
  private final Path templateDir;

  TemplateWiring(Path templateFile) {
    this.template = CfnYaml.load(templateFile);
    this.templateDir = templateFile.toAbsolutePath().getParent();
  }

  /** Logical id → Properties of each resource of that type, in logical id order. */
  @SuppressWarnings("unchecked")
  Map<String, Map<String, Object>> resources(String type) {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    Map<String, Object> resources = (Map<String, Object>) template.getOrDefault("Resources", Map.of());
    resources.forEach((id, r) -> {
      if (r instanceof Map<?, ?> m && type.equals(m.get("Type"))) {
        out.put(id, m.get("Properties") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of());
      }
    });
    return out;
  }

  /** A function's Handler, or the Globals one. */
  @SuppressWarnings("unchecked")
  String handler(Map<String, Object> properties) {
    Object own = properties.get("Handler");
    if (own != null) {
      return String.valueOf(own);
    }
    Map<String, Object> globals = (Map<String, Object>) template.getOrDefault("Globals", Map.of());
    Map<String, Object> fn = (Map<String, Object>) globals.getOrDefault("Function", Map.of());
    Object global = fn.get("Handler");
    return global == null ? null : String.valueOf(global);
  }

  /** Every ${X} of each state machine's definition is substituted, and every substitution is used. */
  List<String> substitutionViolations(List<Path> aslFiles) {
    List<String> out = new ArrayList<>();
    Set<Path> deployed = new TreeSet<>();
    resources(STATE_MACHINE).forEach((id, props) -> {
      if (!(props.get("DefinitionUri") instanceof String uri)) {
        out.add(id + ": DefinitionUri must name a statemachines/*.asl.json file (the ASL stays out of template.yaml)");
        return;
      }
      Path asl = templateDir.resolve(uri).normalize();
      deployed.add(asl);
      if (!Files.isRegularFile(asl)) {
        out.add(id + ": DefinitionUri " + uri + " does not exist");
        return;
      }
      Set<String> used = placeholders(read(asl));
      Set<String> provided = new TreeSet<>(substitutions(props).keySet());
      for (String name : used) {
        if (!provided.contains(name)) {
          out.add(id + ": " + uri + " uses ${" + name + "} but DefinitionSubstitutions does not provide it");
        }
      }
      for (String name : provided) {
        if (!used.contains(name)) {
          out.add(id + ": DefinitionSubstitutions provides " + name + " but " + uri + " never uses it");
        }
      }
    });
    for (Path asl : aslFiles) {
      if (!deployed.contains(asl.toAbsolutePath().normalize())) {
        out.add(templateDir.relativize(asl.toAbsolutePath().normalize()) + ": no " + STATE_MACHINE
            + " in the template deploys it (DefinitionUri)");
      }
    }
    return out;
  }

  /** One name per step, from each Lambda Task state through the template to events/. */
  List<String> namingViolations(Path eventsDir) {
    List<String> out = new ArrayList<>();
    Map<String, Map<String, Object>> functions = resources(FUNCTION);
    resources(STATE_MACHINE).forEach((id, props) -> {
      if (!(props.get("DefinitionUri") instanceof String uri) || !Files.isRegularFile(templateDir.resolve(uri))) {
        return; // reported by substitutionViolations
      }
      Map<String, Object> substitutions = substitutions(props);
      Map<String, JsonNode> tasks = new TreeMap<>();
      lambdaTasks(parse(templateDir.resolve(uri)).path("States"), tasks);
      tasks.forEach((state, task) -> {
        String where = uri + " state " + state;
        String target = task.path("Parameters").has("FunctionName")
            ? task.path("Parameters").path("FunctionName").asText()
            : task.path("Resource").asText();
        Matcher m = FUNCTION_ARN.matcher(target);
        if (!m.matches()) {
          out.add(where + ": invokes " + target + "; expected ${" + state + "FunctionArn} (ASL holds no ARNs or names)");
          return;
        }
        if (!m.group(1).equals(state)) {
          out.add(where + ": invokes ${" + m.group(1) + "FunctionArn}; expected ${" + state
              + "FunctionArn} (one name per step)");
          return;
        }
        String function = state + "Function";
        if (!functions.containsKey(function)) {
          out.add(where + ": template.yaml has no " + FUNCTION + " " + function);
          return;
        }
        Object value = substitutions.get(function + "Arn");
        String alias = function + ".Alias";
        if (value != null && !alias.equals(CfnYaml.refOf(value))) {
          out.add(id + ": DefinitionSubstitutions " + function + "Arn must be !Ref " + alias
              + " (the published, SnapStarted version behind alias " + ALIAS + "), got " + value);
        }
      });
    });
    Set<String> eventNames = eventFileStems(eventsDir);
    functions.forEach((id, props) -> {
      if (!id.endsWith("Function") || id.equals("Function")) {
        out.add(id + ": a function's logical id is <Step>Function");
        return;
      }
      String step = id.substring(0, id.length() - "Function".length());
      String expected = HANDLERS_PACKAGE + step + "Handler::handleRequest";
      String handler = handler(props);
      if (!expected.equals(handler)) {
        out.add(id + ": Handler must be " + expected + ", got " + handler);
      }
      if (!eventNames.contains(kebab(step))) {
        out.add(id + ": no sample event events/" + kebab(step) + ".json");
      }
    });
    return out;
  }

  /** Every function publishes alias "live" (Globals or its own AutoPublishAlias). */
  List<String> aliasViolations() {
    List<String> out = new ArrayList<>();
    resources(FUNCTION).forEach((id, props) -> {
      Object alias = props.get("AutoPublishAlias");
      if (alias == null && globalAlias()) {
        return;
      }
      if (!ALIAS.equals(alias)) {
        out.add(id + ": AutoPublishAlias must be " + ALIAS + " (in Globals or on the function), got " + alias);
      }
    });
    return out;
  }

  @SuppressWarnings("unchecked")
  private boolean globalAlias() {
    Map<String, Object> globals = (Map<String, Object>) template.getOrDefault("Globals", Map.of());
    Map<String, Object> fn = (Map<String, Object>) globals.getOrDefault("Function", Map.of());
    return ALIAS.equals(fn.get("AutoPublishAlias"));
  }

  /** Every events/*.json is a JSON object and belongs to a function (events/<kebab-step>[.variant].json). */
  List<String> eventViolations(Path eventsDir) {
    List<String> out = new ArrayList<>();
    Set<String> steps = new TreeSet<>();
    for (String id : resources(FUNCTION).keySet()) {
      if (id.endsWith("Function")) {
        steps.add(kebab(id.substring(0, id.length() - "Function".length())));
      }
    }
    for (Path file : jsonFiles(eventsDir)) {
      String name = file.getFileName().toString();
      try {
        JsonNode event = JSON.readTree(read(file));
        if (event == null || !event.isObject()) {
          out.add("events/" + name + ": must hold one JSON object (a step's input)");
        }
      } catch (IOException e) {
        out.add("events/" + name + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
      }
      String stem = name.substring(0, name.indexOf('.'));
      if (!steps.contains(stem)) {
        out.add("events/" + name + ": belongs to no function; name it events/<step>.json or"
            + " events/<step>.<variant>.json, <step> one of " + steps);
      }
    }
    return out;
  }

  /** Every function's handler class exists, is a RequestStreamHandler and has a public no-arg constructor. */
  List<String> handlerClassViolations(ClassLoader loader) {
    List<String> out = new ArrayList<>();
    resources(FUNCTION).forEach((id, props) -> {
      String handler = handler(props);
      if (handler == null || !handler.contains("::")) {
        out.add(id + ": Handler must be <class>::handleRequest, got " + handler);
        return;
      }
      String className = handler.substring(0, handler.indexOf("::"));
      String method = handler.substring(handler.indexOf("::") + 2);
      Class<?> type;
      try {
        type = Class.forName(className, false, loader);
      } catch (ClassNotFoundException e) {
        out.add(id + ": handler class " + className + " does not exist");
        return;
      }
      if (!RequestStreamHandler.class.isAssignableFrom(type)) {
        out.add(id + ": " + className + " does not implement " + RequestStreamHandler.class.getName());
      }
      if (!method.equals("handleRequest")) {
        out.add(id + ": handler method must be handleRequest (RequestStreamHandler), got " + method);
      }
      int modifiers = type.getModifiers();
      if (!Modifier.isPublic(modifiers) || Modifier.isAbstract(modifiers) || type.isInterface()) {
        out.add(id + ": " + className + " must be a public concrete class for the Lambda runtime");
      }
      try {
        if (!Modifier.isPublic(type.getDeclaredConstructor().getModifiers())) {
          out.add(id + ": " + className + "() must be public for the Lambda runtime");
        }
      } catch (NoSuchMethodException e) {
        out.add(id + ": " + className + " has no no-arg constructor; the Lambda runtime needs one");
      }
    });
    return out;
  }

  /** PlanDailyRun → plan-daily-run. */
  static String kebab(String step) {
    return step.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> substitutions(Map<String, Object> props) {
    Object s = props.get("DefinitionSubstitutions");
    return s instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
  }

  static Set<String> placeholders(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** Task states that invoke Lambda, at any depth (Map item processors, Parallel branches), by name. */
  private static void lambdaTasks(JsonNode states, Map<String, JsonNode> out) {
    for (Map.Entry<String, JsonNode> e : states.properties()) {
      JsonNode state = e.getValue();
      switch (state.path("Type").asText()) {
        case "Task" -> {
          String resource = state.path("Resource").asText();
          if (resource.startsWith("arn:aws:states:::lambda:invoke") || resource.contains(":lambda:")
              || FUNCTION_ARN.matcher(resource).matches()) {
            out.put(e.getKey(), state);
          }
        }
        case "Map" -> lambdaTasks(
            (state.has("ItemProcessor") ? state.get("ItemProcessor") : state.path("Iterator")).path("States"), out);
        case "Parallel" -> state.path("Branches").forEach(b -> lambdaTasks(b.path("States"), out));
        default -> { }
      }
    }
  }

  private static Set<String> eventFileStems(Path eventsDir) {
    Set<String> stems = new TreeSet<>();
    for (Path file : jsonFiles(eventsDir)) {
      String name = file.getFileName().toString();
      stems.add(name.substring(0, name.indexOf('.')));
    }
    return stems;
  }

  private static List<Path> jsonFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode parse(Path asl) {
    try {
      return JSON.readTree(read(asl));
    } catch (IOException e) {
      throw new UncheckedIOException("not valid JSON: " + asl, e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
