/**
 * A store over the embedded store that records the commands it sends, so what a refused
 * conditional write costs can be counted. The embedded store answers a refusal as DynamoDB does:
 * asked with `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`, the `ConditionalCheckFailedException`
 * carries the item that failed the condition (`infra/local/condition-failure-item.ts`).
 */
import { DynamoCallStore } from '../../lambdas/adapters/dynamo-store';
import { storeClient } from '../../infra/local/store';

export interface CountedStore {
  store: DynamoCallStore;
  /** The commands the store sent, by name, since the last `reset`. */
  sent: string[];
  reset(): void;
}

export function countedStore(endpoint: string): CountedStore {
  const client = storeClient(endpoint);
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'build', name: 'countCommands' },
  );
  const store = new DynamoCallStore({ connections: 'connections', callLogs: 'call_logs' }, client);
  return { store, sent, reset: () => sent.splice(0) };
}
