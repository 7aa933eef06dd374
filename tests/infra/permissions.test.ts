import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_KEYS, type TableKey } from '../../infra/aws/data';
import { apiOf, FUNCTIONS, type FunctionDefinition } from '../../shared/routes';
import { resourcesOfType, synthesize, type Synthesized, type Statement } from './support/synth';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});
afterAll(() => synth?.cleanup());

const actionsOf = (statement: Statement): string[] => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);
const mentions = (statement: Statement, logicalId: string): boolean => JSON.stringify(statement.Resource).includes(`"${logicalId}"`);

/** Every IAM statement attached to a handler's execution role. */
function statementsOf(definition: FunctionDefinition): Statement[] {
  const handler = synth.stack.handlers.functions.get(definition.id)!;
  const roleId = synth.logicalId(handler.function.role!);
  const policies = Object.values(resourcesOfType(synth.template, 'AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`),
  );
  return policies.flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const tableId = (key: TableKey): string => synth.logicalId(synth.stack.data.tables[key]);
const tableActions = (definition: FunctionDefinition, key: TableKey): string[] =>
  statementsOf(definition)
    .filter((statement) => mentions(statement, tableId(key)))
    .flatMap(actionsOf);

const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const READS = ['dynamodb:GetItem', 'dynamodb:Query'];

describe('handler permissions', () => {
  it('never grants wildcard actions on a table', () => {
    const tables = TABLE_KEYS.map(tableId);
    for (const policy of Object.values(resourcesOfType(synth.template, 'AWS::IAM::Policy'))) {
      for (const statement of (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
        if (!tables.some((id) => mentions(statement, id))) continue;
        for (const action of actionsOf(statement)) {
          expect(action, JSON.stringify(statement)).not.toContain('*');
        }
      }
    }
  });

  it('gives each handler exactly the table access the function table declares', () => {
    for (const definition of FUNCTIONS) {
      for (const key of TABLE_KEYS) {
        const actions = tableActions(definition, key);
        const label = `${definition.id} on ${key} (${definition.access[key]})`;
        // A function that may not write `connections` but keeps rate counters there may update items, nothing more.
        // Likewise a function that adds to call logs (a quality summary) may update their items, nothing more.
        const counterWrites =
          (key === 'connections' && definition.access.rateCounters) ||
          (key === 'callLogs' && definition.access.callLogUpdates) ||
          (key === 'whiteboardCalls' && definition.access.whiteboardCallUpdates)
            ? ['dynamodb:UpdateItem']
            : [];
        if (definition.access[key] === 'none') expect(actions, label).toEqual(counterWrites);
        if (definition.access[key] === 'read') {
          expect(actions, label).toEqual(expect.arrayContaining(READS));
          expect(
            actions.filter((action) => WRITES.includes(action)),
            label,
          ).toEqual(counterWrites);
        }
        if (definition.access[key] === 'readwrite') expect(actions, label).toEqual(expect.arrayContaining([...READS, ...WRITES]));
      }
    }
  });

  it('lets the lookup routes update rate counters on the connections table itself, never its indexes', () => {
    const counting = FUNCTIONS.filter((definition) => definition.access.rateCounters && definition.access.connections !== 'readwrite');
    expect(counting.map((definition) => definition.id).sort()).toEqual(['call-history', 'call-settings', 'presence-query']);
    const onConnections = (statement: ReturnType<typeof statementsOf>[number]) =>
      JSON.stringify(statement.Resource).includes(tableId('connections'));
    for (const definition of counting) {
      const updates = statementsOf(definition).filter(
        (statement) => actionsOf(statement).includes('dynamodb:UpdateItem') && onConnections(statement),
      );
      expect(updates, definition.id).toHaveLength(1);
      expect(updates[0]!.Resource, definition.id).toEqual({ 'Fn::GetAtt': [tableId('connections'), 'Arn'] });
    }
  });

  it('lets the call_quality handler update call logs on the table itself, and nothing else write them', () => {
    const updating = FUNCTIONS.filter((definition) => definition.access.callLogUpdates);
    expect(updating.map((definition) => definition.id)).toEqual(['call-quality']);
    const onCallLogs = statementsOf(updating[0]!).filter((statement) => mentions(statement, tableId('callLogs')));
    const writes = onCallLogs.filter((statement) => actionsOf(statement).some((action) => WRITES.includes(action)));
    expect(writes).toHaveLength(1);
    expect(actionsOf(writes[0]!)).toEqual(['dynamodb:UpdateItem']);
    expect(writes[0]!.Resource).toEqual({ 'Fn::GetAtt': [tableId('callLogs'), 'Arn'] });
    expect(tableActions(updating[0]!, 'connections')).toEqual([]);
    expect(tableActions(updating[0]!, 'profileSettings')).toEqual([]);
  });

  it('lets the session_quality handler update session calls on the table itself, and nothing else there', () => {
    const updating = FUNCTIONS.filter((definition) => definition.access.whiteboardCallUpdates);
    expect(updating.map((definition) => definition.id)).toEqual(['session-quality']);
    const onSessionCalls = statementsOf(updating[0]!).filter((statement) => mentions(statement, tableId('whiteboardCalls')));
    const writes = onSessionCalls.filter((statement) => actionsOf(statement).some((action) => WRITES.includes(action)));
    expect(writes).toHaveLength(1);
    expect(actionsOf(writes[0]!)).toEqual(['dynamodb:UpdateItem']);
    expect(writes[0]!.Resource).toEqual({ 'Fn::GetAtt': [tableId('whiteboardCalls'), 'Arn'] });
    expect(tableActions(updating[0]!, 'connections')).toEqual([]);
    expect(tableActions(updating[0]!, 'callLogs')).toEqual([]);
  });

  it('lets only the handlers that post manage connections, on this stage only', () => {
    for (const definition of FUNCTIONS) {
      const manage = statementsOf(definition).filter((statement) => actionsOf(statement).includes('execute-api:ManageConnections'));
      if (!definition.access.manageConnections) {
        expect(manage, definition.id).toEqual([]);
        continue;
      }
      expect(manage, definition.id).toHaveLength(1);
      const resource = JSON.stringify(manage[0]!.Resource);
      // On its own API's stage only (the whiteboard API's for its functions).
      const api = apiOf(definition) === 'whiteboard' ? synth.stack.whiteboardApi : synth.stack.api;
      expect(resource, definition.id).toContain(synth.logicalId(api.api));
      expect(resource).toContain(`/${api.stage.stageName}/*/@connections/*`);
    }
  });

  it('lets only the functions that verify tokens read the signing secret', () => {
    const secretId = synth.logicalId(synth.stack.signingSecret.secret);
    for (const definition of FUNCTIONS) {
      const reads = statementsOf(definition).filter(
        (statement) => mentions(statement, secretId) && actionsOf(statement).includes('secretsmanager:GetSecretValue'),
      );
      expect(reads.length > 0, definition.id).toBe(definition.access.signingSecret);
    }
  });
});
