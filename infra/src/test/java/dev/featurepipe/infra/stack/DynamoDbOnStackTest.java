package dev.featurepipe.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurepipe.aws.AwsClients;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/** dynalite over HTTP through the DynamoDB client that AwsClients builds. */
class DynamoDbOnStackTest {

  @TempDir static Path stateDir;

  private static EmbeddedStack stack;
  private static AwsClients clients;
  private static DynamoDbClient dynamoDb;

  @BeforeAll
  static void startStack() {
    stack = EmbeddedStack.start(StackOptions.forTests(stateDir));
    clients = new AwsClients(stack.awsSettings());
    dynamoDb = clients.dynamoDb();
  }

  @AfterAll
  static void stopStack() {
    clients.close();
    stack.close();
  }

  @Test
  void bothTablesExistOnDemandWithPkHashAndSkRange() {
    for (String table : new String[] {stack.options().featureTable(), stack.options().controlTable()}) {
      TableDescription description = dynamoDb.describeTable(b -> b.tableName(table)).table();

      assertThat(description.tableStatus()).isEqualTo(TableStatus.ACTIVE);
      assertThat(description.billingModeSummary().billingMode())
          .isEqualTo(BillingMode.PAY_PER_REQUEST);
      assertThat(description.keySchema())
          .containsExactly(
              KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
              KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build());
    }
  }

  @Test
  void featureItemRoundTripsWithNumbersBinaryAndUnicode() {
    Map<String, AttributeValue> item =
        Map.of(
            "pk", AttributeValue.fromS("u:feat:user-ü-1"),
            "sk", AttributeValue.fromS("user_activity_v1"),
            "clicks_7d", AttributeValue.fromN("12345678901234567890"),
            "ctr_30d", AttributeValue.fromN("0.000123"),
            "vector", AttributeValue.fromB(software.amazon.awssdk.core.SdkBytes.fromByteArray(new byte[] {0, 1, -1, 127})),
            "as_of", AttributeValue.fromS("2026-01-01"),
            "ttl", AttributeValue.fromN("1893456000"));
    String table = stack.options().featureTable();

    dynamoDb.putItem(b -> b.tableName(table).item(item));
    Map<String, AttributeValue> read =
        dynamoDb
            .getItem(
                b ->
                    b.tableName(table)
                        .key(Map.of("pk", item.get("pk"), "sk", item.get("sk")))
                        .consistentRead(true))
            .item();

    assertThat(read).isEqualTo(item);
  }

  @Test
  void queryByPartitionKeyReturnsItemsInSortKeyOrder() {
    String table = stack.options().controlTable();
    for (String sk : new String[] {"run#2026-01-03", "run#2026-01-01", "run#2026-01-02"}) {
      dynamoDb.putItem(
          b ->
              b.tableName(table)
                  .item(Map.of("pk", AttributeValue.fromS("runs:daily"), "sk", AttributeValue.fromS(sk))));
    }

    var items =
        dynamoDb
            .query(
                b ->
                    b.tableName(table)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :run)")
                        .expressionAttributeValues(
                            Map.of(
                                ":pk", AttributeValue.fromS("runs:daily"),
                                ":run", AttributeValue.fromS("run#"))))
            .items();

    assertThat(items).extracting(i -> i.get("sk").s())
        .containsExactly("run#2026-01-01", "run#2026-01-02", "run#2026-01-03");
  }

  @Test
  void conditionalPutRefusesToOverwriteALock() {
    String table = stack.options().controlTable();
    Map<String, AttributeValue> lock =
        Map.of("pk", AttributeValue.fromS("lock:daily"), "sk", AttributeValue.fromS("2026-01-01"));
    dynamoDb.putItem(b -> b.tableName(table).item(lock).conditionExpression("attribute_not_exists(pk)"));

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                dynamoDb.putItem(
                    b -> b.tableName(table).item(lock).conditionExpression("attribute_not_exists(pk)")))
        .isInstanceOf(
            software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException.class);
  }
}
