/** Finds a stack's template in a synthesized cloud assembly (`cdk.out`) and reads it. */
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

/** Stack artifacts of the assembly's manifest, by name, with their template file. */
async function stackTemplateFiles(cdkOutDir: string): Promise<Map<string, string>> {
  const manifest = recordOr(await readJson(join(cdkOutDir, 'manifest.json')));
  const stacks = new Map<string, string>();
  for (const [name, artifact] of Object.entries(recordOr(manifest.artifacts))) {
    const { type, properties } = recordOr(artifact);
    const templateFile = recordOr(properties).templateFile;
    if (type === 'aws:cloudformation:stack' && typeof templateFile === 'string') stacks.set(name, templateFile);
  }
  return stacks;
}

export async function readStackTemplate(cdkOutDir: string, stackName?: string): Promise<StackTemplate> {
  const stacks = await stackTemplateFiles(cdkOutDir);
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
    if ((Type === 'String' || Type === 'Number') && (typeof Default === 'string' || typeof Default === 'number')) parameters.set(name, String(Default));
  }
  return { stackName: chosen, resources, parameters };
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
