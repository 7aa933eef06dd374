/**
 * DynamoDB's capacity rules, as documented, over items in the wire format (`{"S": "..."}` values):
 * item sizes, read and write units, and the writes a table write causes in its global secondary
 * indexes. Pure functions, so the meter and its tests share one definition.
 */

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: boolean }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

export type Item = Record<string, AttributeValue>;

export const WRITE_UNIT_BYTES = 1024;
export const READ_UNIT_BYTES = 4 * 1024;
/** Every index entry carries this much beyond its attributes (the documented index item overhead). */
export const INDEX_ENTRY_OVERHEAD_BYTES = 100;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * A number takes about one byte per two significant digits, plus one: digits are packed in pairs
 * aligned on the decimal point (so the exponent's parity can cost a byte), and a negative sign one
 * more (the encoding the embedded store reproduces).
 */
function numberBytes(text: string): number {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (!match) return 1 + Math.ceil(text.length / 2);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const all = whole + fraction;
  const significant = all.replace(/^0+/, '');
  if (significant === '') return 1;
  const leadingZeros = all.length - significant.length;
  const exponentOfFirstDigit = whole.length - 1 - leadingZeros + Number(exponent);
  const digits = significant.replace(/0+$/, '').length;
  const pairPadding = digits % 2 !== 0 || exponentOfFirstDigit % 2 !== 0 ? 0 : 1;
  return 1 + Math.ceil(digits / 2) + pairPadding + (sign === '-' ? 1 : 0);
}

function valueBytes(value: AttributeValue): number {
  if ('S' in value) return utf8Bytes(value.S);
  if ('N' in value) return numberBytes(value.N);
  if ('B' in value) return Buffer.from(value.B, 'base64').length;
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('SS' in value) return value.SS.reduce((sum, item) => sum + utf8Bytes(item), 0);
  if ('NS' in value) return value.NS.reduce((sum, item) => sum + numberBytes(item), 0);
  if ('BS' in value) return value.BS.reduce((sum, item) => sum + Buffer.from(item, 'base64').length, 0);
  // Lists and maps: 3 bytes, plus 1 per element, plus the elements (and a map's keys).
  if ('L' in value) return 3 + value.L.reduce((sum, item) => sum + 1 + valueBytes(item), 0);
  return 3 + Object.keys(value.M).length + itemSizeBytes(value.M);
}

/** The size DynamoDB bills an item by: attribute names plus values. */
export function itemSizeBytes(item: Item | undefined): number {
  if (!item) return 0;
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += utf8Bytes(name) + valueBytes(value);
  return bytes;
}

/** Write units for an item of `bytes`: 1 KB steps, at least one. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}

/** Read units for `bytes` read: 4 KB steps, at least one; eventually consistent reads cost half. */
export function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
  return consistent ? units : units / 2;
}

export type ProjectionType = 'ALL' | 'KEYS_ONLY' | 'INCLUDE';

export interface IndexShape {
  name: string;
  keyAttributes: readonly string[];
  projection: ProjectionType;
  /** For INCLUDE: the non-key attributes projected. */
  includedAttributes: readonly string[];
}

export interface TableShape {
  name: string;
  keyAttributes: readonly string[];
  indexes: readonly IndexShape[];
}

/** The attributes of `item` an index entry holds (undefined when the item is not in the index). */
export function indexEntry(table: TableShape, index: IndexShape, item: Item | undefined): Item | undefined {
  if (!item || !index.keyAttributes.every((name) => name in item)) return undefined;
  if (index.projection === 'ALL') return item;
  const kept = new Set([
    ...table.keyAttributes,
    ...index.keyAttributes,
    ...(index.projection === 'INCLUDE' ? index.includedAttributes : []),
  ]);
  return Object.fromEntries(Object.entries(item).filter(([name]) => kept.has(name)));
}

const sameValue = (a: AttributeValue | undefined, b: AttributeValue | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

function sameEntry(a: Item, b: Item): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) if (!sameValue(a[name], b[name])) return false;
  return true;
}

export interface IndexWrite {
  index: string;
  units: number;
}

/**
 * Write units a table write from `before` to `after` costs in each index: a new entry is one write,
 * a removed entry one delete, a changed index key a delete plus a write, a changed projected
 * attribute one write; an entry the write leaves alone costs nothing.
 */
export function indexWrites(table: TableShape, before: Item | undefined, after: Item | undefined): IndexWrite[] {
  const writes: IndexWrite[] = [];
  const entryUnits = (entry: Item): number => writeUnits(itemSizeBytes(entry) + INDEX_ENTRY_OVERHEAD_BYTES);
  for (const index of table.indexes) {
    const old = indexEntry(table, index, before);
    const next = indexEntry(table, index, after);
    let units = 0;
    if (old && next) {
      const keyChanged = index.keyAttributes.some((name) => !sameValue(old[name], next[name]));
      if (keyChanged) units = entryUnits(old) + entryUnits(next);
      else if (!sameEntry(old, next)) units = Math.max(entryUnits(old), entryUnits(next));
    } else if (next) {
      units = entryUnits(next);
    } else if (old) {
      units = entryUnits(old);
    }
    if (units > 0) writes.push({ index: index.name, units });
  }
  return writes;
}

/** The primary key of `item` in `table`, as a stable string (for remembering items by key). */
export function keyOf(table: TableShape, item: Item): string {
  return JSON.stringify(table.keyAttributes.map((name) => item[name] ?? null));
}
