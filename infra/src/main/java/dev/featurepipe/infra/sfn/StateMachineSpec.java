package dev.featurepipe.infra.sfn;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code AWS::Serverless::StateMachine} of the SAM template.
 *
 * @param definitionPath the {@code DefinitionUri} file, absolute (resolved against the template's
 *     folder)
 * @param rawSubstitutions {@code DefinitionSubstitutions} as written: a String (or number) for a
 *     literal, otherwise the long form of the intrinsic as maps and lists, e.g. {@code
 *     {"Fn::GetAtt": ["PlanFunction", "Arn"]}} or {@code {"Ref": "PlanFunction.Alias"}}
 * @param functionAliases every {@code AWS::Serverless::Function} of the template, to its {@code
 *     AutoPublishAlias} ("" when it has none); what substitutions naming functions resolve against
 * @param parameterDefaults the template's {@code Parameters} that have a {@code Default}
 */
public record StateMachineSpec(
    String logicalId,
    Path definitionPath,
    SortedMap<String, Object> rawSubstitutions,
    SortedMap<String, String> functionAliases,
    SortedMap<String, String> parameterDefaults) {

  private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

  public StateMachineSpec {
    Objects.requireNonNull(logicalId, "logicalId");
    Objects.requireNonNull(definitionPath, "definitionPath");
    rawSubstitutions = Collections.unmodifiableSortedMap(new TreeMap<>(rawSubstitutions));
    functionAliases = Collections.unmodifiableSortedMap(new TreeMap<>(functionAliases));
    parameterDefaults = Collections.unmodifiableSortedMap(new TreeMap<>(parameterDefaults));
  }

  /**
   * Resolves every substitution to a string. Pseudo parameters come from {@code region} (account
   * {@code 000000000000}, partition {@code aws}); a function's {@code Arn} attribute becomes {@code
   * arn:aws:lambda:<region>:000000000000:function:<LogicalId>}, {@code !Ref Fn.Alias} the same ARN
   * with the alias as qualifier, {@code !Ref Fn} its name (the logical id); a template parameter
   * its default. Anything else goes to {@code refResolver}: {@code "X"} for {@code !Ref X}, {@code
   * "X.Attr"} for {@code !GetAtt X.Attr}. {@code Fn::Sub} and {@code Fn::Join} are evaluated.
   *
   * @throws SamTemplateException listing every substitution that cannot be resolved: the resolver
   *     returned null or threw, or the intrinsic is not one of Ref, GetAtt, Sub, Join
   */
  public SortedMap<String, String> resolveSubstitutions(String region, Function<String, String> refResolver) {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(refResolver, "refResolver");
    SortedMap<String, String> resolved = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Object> entry : rawSubstitutions.entrySet()) {
      try {
        resolved.put(entry.getKey(), resolve(entry.getValue(), region, refResolver));
      } catch (IllegalArgumentException e) {
        problems.add(
            "state machine '" + logicalId + "': DefinitionSubstitutions." + entry.getKey() + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new SamTemplateException(problems);
    }
    return Collections.unmodifiableSortedMap(resolved);
  }

  private String resolve(Object value, String region, Function<String, String> resolver) {
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    if (value instanceof Map<?, ?> map && map.size() == 1) {
      Map.Entry<?, ?> only = map.entrySet().iterator().next();
      String function = String.valueOf(only.getKey());
      Object argument = only.getValue();
      switch (function) {
        case "Ref" -> {
          if (argument instanceof String target) {
            return ref(target, region, resolver);
          }
        }
        case "Fn::GetAtt" -> {
          if (argument instanceof List<?> pair && pair.size() == 2) {
            return getAtt(String.valueOf(pair.get(0)), String.valueOf(pair.get(1)), region, resolver);
          }
          if (argument instanceof String text && text.contains(".")) {
            int dot = text.indexOf('.');
            return getAtt(text.substring(0, dot), text.substring(dot + 1), region, resolver);
          }
        }
        case "Fn::Sub" -> {
          if (argument instanceof String template) {
            return sub(template, Map.of(), region, resolver);
          }
          if (argument instanceof List<?> list && list.size() == 2 && list.get(0) instanceof String template
              && list.get(1) instanceof Map<?, ?> variables) {
            return sub(template, variables, region, resolver);
          }
        }
        case "Fn::Join" -> {
          if (argument instanceof List<?> list && list.size() == 2 && list.get(0) instanceof String delimiter
              && list.get(1) instanceof List<?> parts) {
            List<String> values = new ArrayList<>();
            for (Object part : parts) {
              values.add(resolve(part, region, resolver));
            }
            return String.join(delimiter, values);
          }
        }
        default -> throw new IllegalArgumentException(function + " is not supported by the local runner (Ref, GetAtt, Sub, Join)");
      }
      throw new IllegalArgumentException("malformed " + function + ": " + argument);
    }
    throw new IllegalArgumentException("cannot resolve " + value + " to a string");
  }

  private String ref(String target, String region, Function<String, String> resolver) {
    switch (target) {
      case "AWS::Region" -> {
        return region;
      }
      case "AWS::AccountId" -> {
        return Execution.ACCOUNT;
      }
      case "AWS::Partition" -> {
        return "aws";
      }
      case "AWS::URLSuffix" -> {
        return "amazonaws.com";
      }
      default -> {}
    }
    if (functionAliases.containsKey(target)) {
      return target;
    }
    if (target.endsWith(".Alias") && functionAliases.containsKey(target.substring(0, target.length() - 6))) {
      String function = target.substring(0, target.length() - 6);
      String alias = functionAliases.get(function);
      if (alias.isEmpty()) {
        throw new IllegalArgumentException("!Ref " + target + ": function " + function + " has no AutoPublishAlias");
      }
      return functionArn(function, region) + ":" + alias;
    }
    if (parameterDefaults.containsKey(target)) {
      return parameterDefaults.get(target);
    }
    return external("!Ref " + target, target, resolver);
  }

  private String getAtt(String resource, String attribute, String region, Function<String, String> resolver) {
    if (functionAliases.containsKey(resource) && attribute.equals("Arn")) {
      return functionArn(resource, region);
    }
    return external("!GetAtt " + resource + "." + attribute, resource + "." + attribute, resolver);
  }

  private String sub(String template, Map<?, ?> variables, String region, Function<String, String> resolver) {
    Matcher matcher = SUB_VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1);
      String replacement;
      if (name.startsWith("!")) {
        replacement = "${" + name.substring(1) + "}";
      } else if (variables.containsKey(name)) {
        replacement = resolve(variables.get(name), region, resolver);
      } else if (name.contains(".") && !name.startsWith("AWS::")) {
        int dot = name.indexOf('.');
        replacement = getAtt(name.substring(0, dot), name.substring(dot + 1), region, resolver);
      } else {
        replacement = ref(name, region, resolver);
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static String external(String what, String key, Function<String, String> resolver) {
    String value;
    try {
      value = resolver.apply(key);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(what + " cannot be resolved: " + e.getMessage());
    }
    if (value == null) {
      throw new IllegalArgumentException(what + " cannot be resolved: the resolver has no value for '" + key + "'");
    }
    return value;
  }

  private static String functionArn(String logicalId, String region) {
    return "arn:aws:lambda:" + region + ":" + Execution.ACCOUNT + ":function:" + logicalId;
  }
}
