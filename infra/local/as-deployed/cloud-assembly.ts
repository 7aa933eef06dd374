/**
 * Finds a stack's template in a synthesized cloud assembly (`cdk.out`) and reads it, with the
 * construct path of each resource: from the template's `aws:cdk:path` metadata where the CLI wrote
 * it, else from the assembly's construct tree (`tree.json`), which every synthesis writes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Readonly<Record<string, unknown>>;
  readonly Metadata: Readonly<Record<string, unknown>>;
}

export interface StackTemplate {
  readonly stackName: string;
  readonly resources: ReadonlyMap<string, TemplateResource>;
  /** Plain parameters (not SSM lookups) with a default, by name. */
  readonly parameters: ReadonlyMap<string, string>;
  /** Logical id → construct path (`CallSignal/Handlers/PingHandler/Function/Resource`). */
  readonly constructPaths: ReadonlyMap<string, string>;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const recordOr = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read ${path} (run \`npm run synth\` first)`, { cause: error });
  }
  return JSON.parse(text) as unknown;
}

interface AssemblyFiles {
  /** Stack name → template file. */
  stacks: Map<string, string>;
  treeFile: string | undefined;
}

/** The stack artifacts of the assembly's manifest, and its construct tree. */
async function assemblyFiles(cdkOutDir: string): Promise<AssemblyFiles> {
  const manifest = recordOr(await readJson(join(cdkOutDir, 'manifest.json')));
  const stacks = new Map<string, string>();
  let treeFile: string | undefined;
  for (const [name, artifact] of Object.entries(recordOr(manifest.artifacts))) {
    const { type, properties } = recordOr(artifact);
    const { templateFile, file } = recordOr(properties);
    if (type === 'aws:cloudformation:stack' && typeof templateFile === 'string') stacks.set(name, templateFile);
    if (type === 'cdk:tree' && typeof file === 'string') treeFile = file;
  }
  return { stacks, treeFile };
}

const LOGICAL_ID_ATTRIBUTE = 'aws:cdk:cloudformation:logicalId';

/** Logical id → path of every CloudFormation resource of one stack in the construct tree. */
function treePaths(tree: unknown, stackName: string): Map<string, string> {
  const paths = new Map<string, string>();
  const visit = (node: Record<string, unknown>): void => {
    const logicalId = recordOr(node.attributes)[LOGICAL_ID_ATTRIBUTE];
    if (typeof logicalId === 'string' && typeof node.path === 'string' && node.path.startsWith(`${stackName}/`))
      paths.set(logicalId, node.path);
    for (const child of Object.values(recordOr(node.children))) visit(recordOr(child));
  };
  visit(recordOr(recordOr(tree).tree));
  return paths;
}

export async function readStackTemplate(cdkOutDir: string, stackName?: string): Promise<StackTemplate> {
  const { stacks, treeFile } = await assemblyFiles(cdkOutDir);
  const names = [...stacks.keys()];
  const chosen = stackName ?? (names.length === 1 ? names[0] : undefined);
  const templateFile = chosen === undefined ? undefined : stacks.get(chosen);
  if (chosen === undefined || templateFile === undefined) {
    const wanted = stackName ? `no stack named ${stackName}` : `${names.length} stacks, name one`;
    throw new Error(`${cdkOutDir} holds ${wanted} (stacks: ${names.join(', ') || 'none'})`);
  }
  const template = recordOr(await readJson(join(cdkOutDir, templateFile)));

  const resources = new Map<string, TemplateResource>();
  for (const [logicalId, resource] of Object.entries(recordOr(template.Resources))) {
    const { Type, Properties, Metadata } = recordOr(resource);
    if (typeof Type !== 'string') throw new Error(`${templateFile}: resource ${logicalId} has no Type`);
    resources.set(logicalId, { Type, Properties: recordOr(Properties), Metadata: recordOr(Metadata) });
  }
  const parameters = new Map<string, string>();
  for (const [name, parameter] of Object.entries(recordOr(template.Parameters))) {
    const { Type, Default } = recordOr(parameter);
    if ((Type === 'String' || Type === 'Number') && (typeof Default === 'string' || typeof Default === 'number'))
      parameters.set(name, String(Default));
  }
  const constructPaths = new Map<string, string>();
  for (const [logicalId, resource] of resources) {
    const path = resource.Metadata['aws:cdk:path'];
    if (typeof path === 'string') constructPaths.set(logicalId, path);
  }
  // Path metadata is the CLI's doing; a synthesis from code (tests) leaves it out.
  if (constructPaths.size === 0 && treeFile !== undefined) {
    for (const [logicalId, path] of treePaths(await readJson(join(cdkOutDir, treeFile)), chosen)) {
      if (resources.has(logicalId)) constructPaths.set(logicalId, path);
    }
  }
  return { stackName: chosen, resources, parameters, constructPaths };
}

/** Logical ids of the resources of one type. */
export function logicalIdsOfType(template: StackTemplate, type: string): string[] {
  return [...template.resources].filter(([, resource]) => resource.Type === type).map(([logicalId]) => logicalId);
}

/** The logical id in `{ Ref: id }`, or undefined. */
export function refTarget(value: unknown): string | undefined {
  return isRecord(value) && typeof value.Ref === 'string' && Object.keys(value).length === 1 ? value.Ref : undefined;
}

/** The logical id in `{ 'Fn::GetAtt': [id, attribute] }`, or undefined. */
export function getAttTarget(value: unknown, attribute: string): string | undefined {
  if (!isRecord(value) || Object.keys(value).length !== 1) return undefined;
  const argument = value['Fn::GetAtt'];
  if (Array.isArray(argument) && argument.length === 2 && typeof argument[0] === 'string' && argument[1] === attribute) return argument[0];
  if (typeof argument === 'string' && argument.endsWith(`.${attribute}`)) return argument.slice(0, -attribute.length - 1);
  return undefined;
}
