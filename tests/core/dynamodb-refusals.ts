/**
 * A store client that behaves as DynamoDB does on a refused conditional write: asked with
 * `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`, the `ConditionalCheckFailedException` carries the
 * item that failed the condition. The embedded store ignores that parameter; this client adds the
 * item (read by a client of its own, as DynamoDB's own business) and only when asked. It also
 * records the commands the store sends, so what a refusal costs can be counted.
 */
import { ConditionalCheckFailedException, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoCallStore } from '../../lambdas/adapters/dynamo-store';
import { storeClient } from '../../infra/local/store';
import { TABLES } from '../../shared/tables';

export interface CountedStore {
  store: DynamoCallStore;
  /** The commands the store sent, by name, since the last `reset`. */
  sent: string[];
  reset(): void;
}

type MarshalledInput = {
  TableName?: string;
  Key?: Record<string, AttributeValue>;
  Item?: Record<string, AttributeValue>;
  ReturnValuesOnConditionCheckFailure?: string;
};

/** The key of the item a write is about: its `Key`, or the table's partition key taken from its `Item`. */
function keyOf(input: MarshalledInput): Record<string, AttributeValue> | undefined {
  if (input.Key) return input.Key;
  const name = TABLES.find((definition) => definition.localName === input.TableName)?.partitionKey.name;
  const value = name ? input.Item?.[name] : undefined;
  return name && value ? { [name]: value } : undefined;
}

/** `itemOnRefusal`: as DynamoDB (true) or as the embedded store (false). */
export function countedStore(endpoint: string, options: { itemOnRefusal: boolean }): CountedStore {
  const client = storeClient(endpoint);
  const dynamodbItself = storeClient(endpoint);
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? 'unknown');
      try {
        return await next(args);
      } catch (error) {
        const input = args.input as MarshalledInput;
        const key = keyOf(input);
        const asked = input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
        if (!options.itemOnRefusal || !(error instanceof ConditionalCheckFailedException) || !asked || !key) throw error;
        const { Item } = await dynamodbItself.send(new GetItemCommand({ TableName: input.TableName, Key: key, ConsistentRead: true }));
        throw new ConditionalCheckFailedException({ message: error.message, $metadata: error.$metadata, ...(Item ? { Item } : {}) });
      }
    },
    // After the document client has marshalled the input: the shape DynamoDB receives.
    { step: 'build', name: 'itemOnConditionFailure' },
  );
  const store = new DynamoCallStore({ connections: 'connections', callLogs: 'call_logs' }, client);
  return { store, sent, reset: () => sent.splice(0) };
}
