/**
 * Shared GCRA buckets as conditional UpdateItems: several buckets on one item (a socket's offers and
 * its profile's) move in one write, all or none. Pure: what to write for a plan, and the plan for the
 * item as a refusal showed it (`gcraStep` in `core/rate-limiter.ts` has the arithmetic).
 */
import type { GcraStep } from '../core/model';

/** One bucket of an item: the attribute holding its theoretical arrival time, and this message's step. */
export interface BucketTake {
  attribute: string;
  step: GcraStep;
}

/** `full`: the bucket is as good as unused (tat absent or past); `burst`: it still has room. */
export type BucketPlan = 'full' | 'burst';

export interface GcraUpdate {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, number>;
}

/**
 * The one write that takes a token from every bucket by its plan, and keeps the item until the
 * last of them is full again (plus `lingerSeconds`).
 */
export function gcraUpdate(
  takes: readonly BucketTake[],
  plans: readonly BucketPlan[],
  ttlAttribute: string,
  lingerSeconds: number,
): GcraUpdate {
  const names: Record<string, string> = { '#ttl': ttlAttribute };
  const values: Record<string, number> = {};
  const sets: string[] = [];
  const conditions: string[] = [];
  takes.forEach(({ attribute, step }, index) => {
    const name = `#tat${index}`;
    names[name] = attribute;
    if (plans[index] === 'full') {
      values[`:now${index}`] = step.nowMs;
      values[`:idle${index}`] = step.idleTatMs;
      sets.push(`${name} = :idle${index}`);
      conditions.push(`(attribute_not_exists(${name}) OR ${name} < :now${index})`);
    } else {
      values[`:latest${index}`] = step.latestAdmittedTatMs;
      values[`:interval${index}`] = step.intervalMs;
      sets.push(`${name} = ${name} + :interval${index}`);
      conditions.push(`${name} <= :latest${index}`);
    }
  });
  values[':ttl'] = Math.ceil(Math.max(...takes.map(({ step }) => step.fullAtMs)) / 1000) + lingerSeconds;
  sets.push('#ttl = :ttl');
  return {
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Every bucket taken as full: what a first write assumes (a bucket in use is told by the refusal). */
export const allFull = (takes: readonly BucketTake[]): BucketPlan[] => takes.map(() => 'full');

/**
 * The plan for the item as it is (undefined: there is none), or `refused` when some bucket has no
 * room left: then nothing is written and nothing of any bucket is spent.
 */
export function planFor(takes: readonly BucketTake[], item: Record<string, unknown> | undefined): BucketPlan[] | 'refused' {
  const plans: BucketPlan[] = [];
  for (const { attribute, step } of takes) {
    const tat = item?.[attribute];
    if (typeof tat !== 'number' || tat < step.nowMs) plans.push('full');
    else if (tat <= step.latestAdmittedTatMs) plans.push('burst');
    else return 'refused';
  }
  return plans;
}
