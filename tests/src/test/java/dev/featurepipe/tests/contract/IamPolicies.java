package dev.featurepipe.tests.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Least privilege, checked on every policy statement the template writes: no {@code Action "*"}, no
 * whole-service wildcard like {@code s3:*}, and no data action (S3, DynamoDB, Glue, KMS) on
 * {@code Resource "*"}. {@code Fn::If} branches are both checked.
 *
 * <p>KMS key policies are exempt: inside a key policy {@code Resource "*"} means that key only. So
 * are Deny statements (they take rights away) and assume-role trust policies (no actions on data).
 * SAM policy templates and AWS managed policies expand outside this file, so naming one is itself a
 * violation: write the statements.
 */
final class IamPolicies {

  static final Set<String> DATA_SERVICES = Set.of("s3", "dynamodb", "glue", "kms", "secretsmanager", "ssm");

  private IamPolicies() {}

  @SuppressWarnings("unchecked")
  static List<String> violations(Map<String, Object> template) {
    List<String> out = new ArrayList<>();
    Map<String, Object> resources = new TreeMap<>((Map<String, Object>) template.getOrDefault("Resources", Map.of()));
    resources.forEach((id, r) -> {
      if (!(r instanceof Map<?, ?> resource)) {
        return;
      }
      String type = String.valueOf(resource.get("Type"));
      Map<String, Object> props = resource.get("Properties") instanceof Map<?, ?> p
          ? (Map<String, Object>) p : Map.of();
      switch (type) {
        case "AWS::Serverless::Function", "AWS::Serverless::StateMachine" ->
            samPolicies(id, props.get("Policies"), resources, out);
        case "AWS::IAM::Role" -> {
          if (props.get("Policies") instanceof List<?> policies) {
            for (int i = 0; i < policies.size(); i++) {
              if (policies.get(i) instanceof Map<?, ?> p) {
                document(id + " Policies[" + i + "]", p.get("PolicyDocument"), out);
              }
            }
          }
          managedArns(id, props.get("ManagedPolicyArns"), out);
        }
        case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy",
            "AWS::SNS::TopicPolicy" -> document(id, props.get("PolicyDocument"), out);
        default -> { }
      }
    });
    return out;
  }

  private static void samPolicies(String id, Object policies, Map<String, Object> resources, List<String> out) {
    if (policies == null) {
      return;
    }
    List<?> list = policies instanceof List<?> l ? l : List.of(policies);
    for (int i = 0; i < list.size(); i++) {
      samPolicy(id + " Policies[" + i + "]", list.get(i), resources, out);
    }
  }

  private static void samPolicy(String where, Object policy, Map<String, Object> resources, List<String> out) {
    if (policy instanceof String name) {
      out.add(where + ": names managed policy " + name + ", whose statements this check cannot see");
    } else if (policy instanceof Map<?, ?> m) {
      if (m.containsKey("Statement")) {
        document(where, m, out);
      } else if (m.containsKey("Fn::If") && m.get("Fn::If") instanceof List<?> branches && branches.size() == 3) {
        samPolicy(where + " (if " + branches.get(0) + ")", branches.get(1), resources, out);
        samPolicy(where + " (unless " + branches.get(0) + ")", branches.get(2), resources, out);
      } else if (CfnYaml.refOf(m) != null) {
        String ref = CfnYaml.refOf(m);
        Object target = resources.get(ref);
        boolean local = target instanceof Map<?, ?> t && "AWS::IAM::ManagedPolicy".equals(t.get("Type"));
        if (!ref.equals("AWS::NoValue") && !local) {
          out.add(where + ": !Ref " + ref + " is no AWS::IAM::ManagedPolicy of this template");
        }
      } else {
        out.add(where + ": SAM policy template " + m.keySet() + " expands outside this check; write the statements");
      }
    }
  }

  private static void managedArns(String id, Object arns, List<String> out) {
    if (arns instanceof List<?> list) {
      for (Object arn : list) {
        if (arn instanceof String s) {
          out.add(id + " ManagedPolicyArns: " + s + " is a managed policy whose statements this check cannot see");
        }
      }
    }
  }

  private static void document(String where, Object document, List<String> out) {
    if (!(document instanceof Map<?, ?> doc)) {
      return;
    }
    Object statements = doc.get("Statement");
    List<?> list = statements instanceof List<?> l ? l : statements == null ? List.of() : List.of(statements);
    for (int i = 0; i < list.size(); i++) {
      statement(where + " Statement[" + i + "]", list.get(i), out);
    }
  }

  private static void statement(String where, Object statement, List<String> out) {
    if (!(statement instanceof Map<?, ?> s)) {
      return;
    }
    if (s.containsKey("Fn::If") && s.get("Fn::If") instanceof List<?> branches && branches.size() == 3) {
      statement(where + " (if " + branches.get(0) + ")", branches.get(1), out);
      statement(where + " (unless " + branches.get(0) + ")", branches.get(2), out);
      return;
    }
    if ("Deny".equals(s.get("Effect"))) {
      return;
    }
    String at = s.get("Sid") instanceof String sid ? where.replaceFirst("\\[\\d+]$", "[" + sid + "]") : where;
    if (s.containsKey("NotAction") || s.containsKey("NotResource")) {
      out.add(at + ": Allow with NotAction/NotResource grants everything else; list what is allowed");
    }
    List<String> actions = strings(s.get("Action"));
    List<String> resources = strings(s.get("Resource"));
    boolean anyResource = resources.contains("*");
    for (String action : actions) {
      if (action.equals("*")) {
        out.add(at + ": grants Action \"*\"");
        continue;
      }
      int colon = action.indexOf(':');
      String service = colon < 0 ? action : action.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
      if (action.endsWith(":*")) {
        out.add(at + ": grants every " + service + " action (" + action + "); name the actions");
      }
      if (DATA_SERVICES.contains(service) && anyResource) {
        out.add(at + ": grants data action " + action + " on Resource \"*\"; name the bucket prefix, table, database or key");
      }
    }
  }

  /** The literal strings of a string-or-list value, with both branches of any Fn::If. */
  private static List<String> strings(Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof String s) {
      out.add(s);
    } else if (value instanceof List<?> list) {
      list.forEach(v -> out.addAll(strings(v)));
    } else if (value instanceof Map<?, ?> m && m.get("Fn::If") instanceof List<?> branches && branches.size() == 3) {
      out.addAll(strings(branches.get(1)));
      out.addAll(strings(branches.get(2)));
    }
    return out;
  }
}
