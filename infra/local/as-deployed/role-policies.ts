/**
 * Every identity-based statement the template attaches to one IAM role, with its intrinsics
 * resolved: the role's inline policies, the `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy`
 * resources that name it, and managed policies it lists that the template defines. Managed policies
 * from outside the template (AWS managed ones) have no statements here and are listed instead.
 */
import { isRecord, logicalIdsOfType, refTarget, type StackTemplate } from './cloud-assembly';
import type { PatternList, PolicyStatement } from './iam';
import { resolveString, resolveValue, type ResolutionScope } from './intrinsics';

export interface RolePolicies {
  readonly statements: readonly PolicyStatement[];
  /** ARNs of managed policies from outside the template: their statements are not evaluated. */
  readonly externalManagedPolicyArns: readonly string[];
}

function patternList(statement: Record<string, unknown>, name: 'Action' | 'Resource', scope: ResolutionScope, path: string): PatternList {
  const notName = `Not${name}`;
  const plain = statement[name];
  const negated = statement[notName];
  if ((plain === undefined) === (negated === undefined)) throw new Error(`${path} must have exactly one of ${name} and ${notName}`);
  const key = plain === undefined ? notName : name;
  const value = plain ?? negated;
  const items = Array.isArray(value) ? value : [value];
  return {
    negated: plain === undefined,
    patterns: items.map((item, index) => resolveString(item, scope, `${path}.${key}${Array.isArray(value) ? `[${index}]` : ''}`)),
  };
}

function parseStatement(raw: unknown, source: string, scope: ResolutionScope, path: string): PolicyStatement {
  if (!isRecord(raw)) throw new Error(`${path} is not a statement`);
  const { Effect, Sid, Condition } = raw;
  if (Effect !== 'Allow' && Effect !== 'Deny') throw new Error(`${path}.Effect must be Allow or Deny`);
  const condition = Condition === undefined ? undefined : resolveValue(Condition, scope, `${path}.Condition`);
  if (condition !== undefined && !isRecord(condition)) throw new Error(`${path}.Condition must be an object`);
  return {
    ...(typeof Sid === 'string' ? { sid: Sid } : {}),
    effect: Effect,
    actions: patternList(raw, 'Action', scope, path),
    resources: patternList(raw, 'Resource', scope, path),
    ...(condition !== undefined && Object.keys(condition).length > 0 ? { condition } : {}),
    source,
  };
}

function documentStatements(document: unknown, source: string, scope: ResolutionScope, path: string): PolicyStatement[] {
  const statement = isRecord(document) ? document.Statement : undefined;
  const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  return list.map((item, index) => parseStatement(item, source, scope, `${path}.Statement[${index}]`));
}

const namesRole = (roles: unknown, roleId: string): boolean => Array.isArray(roles) && roles.some((role) => refTarget(role) === roleId);

export function rolePolicies(template: StackTemplate, roleId: string, scope: ResolutionScope): RolePolicies {
  const role = template.resources.get(roleId);
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleId} is not an AWS::IAM::Role of ${template.stackName}`);
  const statements: PolicyStatement[] = [];

  const inline = Array.isArray(role.Properties.Policies) ? role.Properties.Policies : [];
  inline.forEach((policy, index) => {
    const path = `${roleId}.Properties.Policies[${index}]`;
    const name = isRecord(policy) && typeof policy.PolicyName === 'string' ? `${roleId}/${policy.PolicyName}` : path;
    statements.push(...documentStatements(isRecord(policy) ? policy.PolicyDocument : undefined, name, scope, `${path}.PolicyDocument`));
  });

  const managedArns = Array.isArray(role.Properties.ManagedPolicyArns) ? role.Properties.ManagedPolicyArns : [];
  const listedManaged = new Set(managedArns.flatMap((arn) => refTarget(arn) ?? []));
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const policyId of logicalIdsOfType(template, type)) {
      const policy = template.resources.get(policyId);
      if (!policy || !(namesRole(policy.Properties.Roles, roleId) || listedManaged.has(policyId))) continue;
      statements.push(...documentStatements(policy.Properties.PolicyDocument, policyId, scope, `${policyId}.Properties.PolicyDocument`));
    }
  }

  const externalManagedPolicyArns = managedArns.flatMap((arn, index) => {
    const target = refTarget(arn);
    if (target !== undefined && template.resources.get(target)?.Type === 'AWS::IAM::ManagedPolicy') return [];
    return [resolveString(arn, scope, `${roleId}.Properties.ManagedPolicyArns[${index}]`)];
  });
  return { statements, externalManagedPolicyArns };
}

/** The statements of one `AWS::IAM::ManagedPolicy` of the template (one attached to no function's role, too). */
export function managedPolicyStatements(template: StackTemplate, policyId: string, scope: ResolutionScope): PolicyStatement[] {
  const policy = template.resources.get(policyId);
  if (policy?.Type !== 'AWS::IAM::ManagedPolicy') throw new Error(`${policyId} is not an AWS::IAM::ManagedPolicy of ${template.stackName}`);
  return documentStatements(policy.Properties.PolicyDocument, policyId, scope, `${policyId}.Properties.PolicyDocument`);
}
