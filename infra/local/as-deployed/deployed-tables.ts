/**
 * Which table definition (`shared/tables.ts`) each DynamoDB table of the template is, told by its
 * keys and index names rather than by logical id strings, so a renamed construct still matches and
 * a table whose shape drifted from its definition does not.
 */
import type { KeyAttribute, TableDefinition } from '../../../shared/tables';
import { isRecord, logicalIdsOfType, type StackTemplate } from './cloud-assembly';

const TABLE_TYPES = ['AWS::DynamoDB::GlobalTable', 'AWS::DynamoDB::Table'];

const sameKey = (a: KeyAttribute | undefined, b: KeyAttribute | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.name === b.name && a.type === b.type;

interface TableShape {
  partitionKey: KeyAttribute | undefined;
  sortKey: KeyAttribute | undefined;
  indexNames: string[];
}

function shapeOf(properties: Readonly<Record<string, unknown>>): TableShape {
  const types = new Map<string, string>();
  for (const definition of Array.isArray(properties.AttributeDefinitions) ? properties.AttributeDefinitions : []) {
    if (isRecord(definition) && typeof definition.AttributeName === 'string' && typeof definition.AttributeType === 'string') {
      types.set(definition.AttributeName, definition.AttributeType);
    }
  }
  const key = (keyType: 'HASH' | 'RANGE'): KeyAttribute | undefined => {
    const element = (Array.isArray(properties.KeySchema) ? properties.KeySchema : []).find(
      (item): item is Record<string, unknown> => isRecord(item) && item.KeyType === keyType,
    );
    const name = element?.AttributeName;
    const type = typeof name === 'string' ? types.get(name) : undefined;
    return typeof name === 'string' && (type === 'S' || type === 'N') ? { name, type } : undefined;
  };
  const indexNames = (Array.isArray(properties.GlobalSecondaryIndexes) ? properties.GlobalSecondaryIndexes : []).flatMap((index) =>
    isRecord(index) && typeof index.IndexName === 'string' ? [index.IndexName] : [],
  );
  return { partitionKey: key('HASH'), sortKey: key('RANGE'), indexNames };
}

function matches(shape: TableShape, definition: TableDefinition): boolean {
  const definedIndexes = definition.indexes.map((index) => index.indexName).sort();
  const indexes = [...shape.indexNames].sort();
  return (
    sameKey(shape.partitionKey, definition.partitionKey) &&
    sameKey(shape.sortKey, definition.sortKey) &&
    indexes.length === definedIndexes.length &&
    indexes.every((name, position) => name === definedIndexes[position])
  );
}

/** Logical id → the definition it is; every template table must be exactly one definition. */
export function matchTables(template: StackTemplate, definitions: readonly TableDefinition[]): Map<string, TableDefinition> {
  const matched = new Map<string, TableDefinition>();
  for (const logicalId of TABLE_TYPES.flatMap((type) => logicalIdsOfType(template, type))) {
    const shape = shapeOf(template.resources.get(logicalId)?.Properties ?? {});
    const candidates = definitions.filter((definition) => matches(shape, definition));
    const [definition] = candidates;
    if (candidates.length !== 1 || !definition) {
      const described = `keys ${shape.partitionKey?.name ?? '?'}/${shape.sortKey?.name ?? '-'}, indexes [${shape.indexNames.join(', ')}]`;
      throw new Error(
        candidates.length === 0
          ? `Table ${logicalId} (${described}) matches no definition in shared/tables.ts`
          : `Table ${logicalId} (${described}) matches ${candidates.map((item) => item.localName).join(' and ')}`,
      );
    }
    const taken = [...matched].find(([, other]) => other === definition);
    if (taken) throw new Error(`Tables ${taken[0]} and ${logicalId} both match ${definition.localName} of shared/tables.ts`);
    matched.set(logicalId, definition);
  }
  return matched;
}
