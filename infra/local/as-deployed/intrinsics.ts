/**
 * CloudFormation's intrinsic functions, resolved the way CloudFormation would for a stack deployed
 * into the local account: pseudo parameters from the local identity, `Ref` and `Fn::GetAtt` from the
 * local values of the resources the gateway stands in for. Anything else is an error naming where it
 * sits, never a guess.
 */
import type { LocalAwsIdentity } from './local-identity';

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** What a resource resolves to here: `Ref`, and the attributes `Fn::GetAtt` may ask for. */
export interface LocalResource {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface ResolutionScope {
  readonly identity: LocalAwsIdentity;
  readonly stackName: string;
  /** By logical id; only the resources the gateway stands in for. */
  readonly resources: ReadonlyMap<string, LocalResource>;
  /** Template parameters with a default, by name. */
  readonly parameters?: ReadonlyMap<string, string>;
  /** Every logical id's resource type, so an error can say what was asked for. */
  readonly resourceTypes?: ReadonlyMap<string, string>;
}

export class UnresolvableIntrinsicError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Cannot resolve ${path}: ${reason}`);
    this.name = 'UnresolvableIntrinsicError';
  }
}

/** `Ref: AWS::NoValue`: the property is left out. */
const NO_VALUE = Symbol('AWS::NoValue');
type Resolved = Json | typeof NO_VALUE;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function pseudoParameter(name: string, scope: ResolutionScope): Resolved | undefined {
  const { identity } = scope;
  switch (name) {
    case 'AWS::Region':
      return identity.region;
    case 'AWS::AccountId':
      return identity.accountId;
    case 'AWS::Partition':
      return identity.partition;
    case 'AWS::URLSuffix':
      return identity.urlSuffix;
    case 'AWS::StackName':
      return scope.stackName;
    case 'AWS::StackId':
      return `arn:${identity.partition}:cloudformation:${identity.region}:${identity.accountId}:stack/${scope.stackName}/local`;
    case 'AWS::NotificationARNs':
      return [];
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      return undefined;
  }
}

function describe(logicalId: string, scope: ResolutionScope): string {
  const type = scope.resourceTypes?.get(logicalId);
  return type ? `${logicalId} (${type})` : logicalId;
}

function ref(name: string, scope: ResolutionScope, path: string): Resolved {
  const pseudo = pseudoParameter(name, scope);
  if (pseudo !== undefined) return pseudo;
  const parameter = scope.parameters?.get(name);
  if (parameter !== undefined) return parameter;
  const resource = scope.resources.get(name);
  if (!resource) throw new UnresolvableIntrinsicError(path, `Ref to ${describe(name, scope)}, which has no local value`);
  return resource.ref;
}

function getAtt(logicalId: string, attribute: string, scope: ResolutionScope, path: string): string {
  const resource = scope.resources.get(logicalId);
  if (!resource) throw new UnresolvableIntrinsicError(path, `Fn::GetAtt of ${describe(logicalId, scope)}, which has no local value`);
  const value = resource.attributes[attribute];
  if (value === undefined)
    throw new UnresolvableIntrinsicError(path, `Fn::GetAtt ${logicalId}.${attribute}: no local value for that attribute`);
  return value;
}

function asString(value: Resolved, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UnresolvableIntrinsicError(path, `expected a string, got ${value === NO_VALUE ? 'AWS::NoValue' : JSON.stringify(value)}`);
}

function asList(value: Resolved, path: string): readonly Json[] {
  if (Array.isArray(value)) return value;
  throw new UnresolvableIntrinsicError(path, `expected a list, got ${value === NO_VALUE ? 'AWS::NoValue' : JSON.stringify(value)}`);
}

function arguments2(value: unknown, name: string, path: string): [unknown, unknown] {
  if (!Array.isArray(value) || value.length !== 2) throw new UnresolvableIntrinsicError(path, `${name} takes a list of two`);
  return [value[0], value[1]];
}

/** `${Name}`, `${Name.Attribute}` and `${!Literal}` in a `Fn::Sub` string. */
function substitute(template: string, variables: ReadonlyMap<string, string>, scope: ResolutionScope, path: string): string {
  return template.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    const variable = variables.get(name);
    if (variable !== undefined) return variable;
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) return getAtt(name.slice(0, dot), name.slice(dot + 1), scope, `${path} ${whole}`);
    return asString(ref(name, scope, `${path} ${whole}`), `${path} ${whole}`);
  });
}

function resolveFunction(name: string, argument: unknown, scope: ResolutionScope, path: string): Resolved {
  const here = `${path}.${name}`;
  switch (name) {
    case 'Ref': {
      if (typeof argument !== 'string') throw new UnresolvableIntrinsicError(here, 'Ref takes a name');
      return ref(argument, scope, here);
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] =
        typeof argument === 'string'
          ? [argument.slice(0, argument.indexOf('.')), argument.slice(argument.indexOf('.') + 1)]
          : arguments2(argument, name, here).map((part, index) => asString(resolve(part, scope, `${here}[${index}]`), here));
      if (!logicalId || !attribute) throw new UnresolvableIntrinsicError(here, 'Fn::GetAtt takes a logical id and an attribute');
      return getAtt(logicalId, attribute, scope, here);
    }
    case 'Fn::Join': {
      const [delimiter, parts] = arguments2(argument, name, here);
      const list = asList(resolve(parts, scope, `${here}[1]`), `${here}[1]`);
      return list
        .map((part, index) => asString(part, `${here}[1][${index}]`))
        .join(asString(resolve(delimiter, scope, `${here}[0]`), here));
    }
    case 'Fn::Sub': {
      if (typeof argument === 'string') return substitute(argument, new Map(), scope, here);
      const [template, variables] = arguments2(argument, name, here);
      if (typeof template !== 'string' || !isRecord(variables))
        throw new UnresolvableIntrinsicError(here, 'Fn::Sub takes a string, or a string and a map');
      const resolvedVariables = new Map(
        Object.entries(variables).map(([key, value]) => [key, asString(resolve(value, scope, `${here}[1].${key}`), `${here}[1].${key}`)]),
      );
      return substitute(template, resolvedVariables, scope, here);
    }
    case 'Fn::Select': {
      const [index, list] = arguments2(argument, name, here);
      const position = Number(asString(resolve(index, scope, `${here}[0]`), `${here}[0]`));
      const items = asList(resolve(list, scope, `${here}[1]`), `${here}[1]`);
      const selected = Number.isInteger(position) ? items[position] : undefined;
      if (selected === undefined) throw new UnresolvableIntrinsicError(here, `index ${position} is outside a list of ${items.length}`);
      return selected;
    }
    case 'Fn::Split': {
      const [delimiter, text] = arguments2(argument, name, here);
      return asString(resolve(text, scope, `${here}[1]`), `${here}[1]`).split(
        asString(resolve(delimiter, scope, `${here}[0]`), `${here}[0]`),
      );
    }
    case 'Fn::Base64':
      return Buffer.from(asString(resolve(argument, scope, here), here), 'utf8').toString('base64');
    default:
      throw new UnresolvableIntrinsicError(here, `${name} is not supported here`);
  }
}

function resolve(value: unknown, scope: ResolutionScope, path: string): Resolved {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    return value.map((item, index) => resolve(item, scope, `${path}[${index}]`)).filter((item): item is Json => item !== NO_VALUE);
  }
  if (!isRecord(value)) throw new UnresolvableIntrinsicError(path, `unexpected ${typeof value}`);
  const keys = Object.keys(value);
  const [only] = keys;
  if (keys.length === 1 && only !== undefined && (only === 'Ref' || only.startsWith('Fn::') || only === 'Condition')) {
    return resolveFunction(only, value[only], scope, path);
  }
  const resolved: Record<string, Json> = {};
  for (const key of keys) {
    const item = resolve(value[key], scope, `${path}.${key}`);
    if (item !== NO_VALUE) resolved[key] = item;
  }
  return resolved;
}

/** Resolves every intrinsic inside `value`; `path` names where it sits, for errors. */
export function resolveValue(value: unknown, scope: ResolutionScope, path: string): Json {
  const resolved = resolve(value, scope, path);
  if (resolved === NO_VALUE) throw new UnresolvableIntrinsicError(path, 'AWS::NoValue where a value is required');
  return resolved;
}

export function resolveString(value: unknown, scope: ResolutionScope, path: string): string {
  return asString(resolve(value, scope, path), path);
}
