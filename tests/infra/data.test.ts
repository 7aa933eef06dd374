import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DEFINITIONS, TABLE_KEYS, type TableKey } from '../../infra/aws/data';
import { TABLES, type KeyAttribute } from '../../shared/tables';
import { resourcesOfType, synthesize, type Synthesized } from './support/synth';

let kept: Synthesized;
let throwaway: Synthesized;
beforeAll(() => {
  kept = synthesize();
  throwaway = synthesize({ retainData: false });
});
afterAll(() => {
  kept?.cleanup();
  throwaway?.cleanup();
});

const tableResource = (synth: Synthesized, key: TableKey) => {
  const id = synth.logicalId(synth.stack.data.tables[key]);
  return resourcesOfType(synth.template, 'AWS::DynamoDB::GlobalTable')[id]!;
};
const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute) => [
  { AttributeName: partitionKey.name, KeyType: 'HASH' },
  ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' }] : []),
];

describe('tables', () => {
  it('declares every shared table, and nothing else', () => {
    expect(TABLE_KEYS.map((key) => TABLE_DEFINITIONS[key]).sort((a, b) => a.localName.localeCompare(b.localName))).toEqual(
      [...TABLES].sort((a, b) => a.localName.localeCompare(b.localName)),
    );
    expect(Object.keys(resourcesOfType(kept.template, 'AWS::DynamoDB::GlobalTable'))).toHaveLength(TABLES.length);
  });

  it('copies keys and indexes from the shared definitions, billed on demand', () => {
    for (const key of TABLE_KEYS) {
      const definition = TABLE_DEFINITIONS[key];
      const props = tableResource(kept, key).Properties;
      expect(props.KeySchema, key).toEqual(
        keySchema(definition.partitionKey, 'sortKey' in definition ? (definition.sortKey as KeyAttribute) : undefined),
      );
      expect(props.BillingMode, key).toBe('PAY_PER_REQUEST');
      const indexes = (props.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string; KeySchema: unknown; Projection: unknown }>;
      expect(indexes.map((index) => index.IndexName).sort(), key).toEqual(definition.indexes.map((index) => index.indexName).sort());
      for (const index of definition.indexes) {
        const declared = indexes.find((candidate) => candidate.IndexName === index.indexName)!;
        expect(declared.KeySchema, index.indexName).toEqual(keySchema(index.partitionKey, index.sortKey));
        expect(declared.Projection, index.indexName).toEqual(
          index.projection.type === 'INCLUDE'
            ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.attributes] }
            : { ProjectionType: 'KEYS_ONLY' },
        );
      }
    }
  });

  it('expires connections by the shared TTL attribute', () => {
    expect(tableResource(kept, 'connections').Properties.TimeToLiveSpecification).toEqual({
      AttributeName: TABLE_DEFINITIONS.connections.ttlAttribute,
      Enabled: true,
    });
    expect(tableResource(kept, 'callLogs').Properties.TimeToLiveSpecification).toBeUndefined();
  });

  it('keeps call_logs with point-in-time recovery, and retains it when the stack is deleted', () => {
    const callLogs = tableResource(kept, 'callLogs');
    expect(JSON.stringify(callLogs.Properties.Replicas)).toContain('"PointInTimeRecoveryEnabled":true');
    expect(callLogs.DeletionPolicy).toBe('Retain');
    expect(callLogs.UpdateReplacePolicy).toBe('Retain');
    expect(tableResource(kept, 'connections').DeletionPolicy).toBe('Delete');
  });

  it('keeps profile_settings (block lists, who may call) with point-in-time recovery, and retains it as user data', () => {
    const settings = tableResource(kept, 'profileSettings');
    expect(JSON.stringify(settings.Properties.Replicas)).toContain('"PointInTimeRecoveryEnabled":true');
    expect(settings.DeletionPolicy).toBe('Retain');
    expect(settings.UpdateReplacePolicy).toBe('Retain');
    expect(settings.Properties.TimeToLiveSpecification).toBeUndefined();
  });

  it('lets a throwaway stack delete call_logs, profile_settings and its logs', () => {
    expect(tableResource(throwaway, 'callLogs').DeletionPolicy).toBe('Delete');
    expect(tableResource(throwaway, 'profileSettings').DeletionPolicy).toBe('Delete');
    for (const logGroup of Object.values(resourcesOfType(throwaway.template, 'AWS::Logs::LogGroup'))) {
      expect(logGroup.DeletionPolicy).toBe('Delete');
    }
  });
});
