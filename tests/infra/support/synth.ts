/**
 * Synthesizes the signaling stack for assertions, offline: bundling is skipped unless asked for,
 * the web client is a two-file fixture (page and one hashed script), and every directory written is removed by `cleanup`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { SignalingStack, type SignalingStackProps } from '../../../infra/aws/signaling-stack';

export const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const STACK_NAME = 'CallSignalTest';

/** The feature flags and settings of cdk.json, so tests synthesize what `cdk synth` does. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** One statement of an IAM policy document in a synthesized template. */
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

export interface SynthOptions {
  /** Run esbuild for every handler (slow-ish); by default bundling is skipped. */
  readonly bundle?: boolean;
  /** Register cdk-nag's AwsSolutions checks, as `infra/app.ts` does. */
  readonly nag?: boolean;
  /** Adds to the stack before synthesis (to prove a check bites). */
  readonly extend?: (stack: SignalingStack) => void;
}

export interface Synthesized {
  readonly app: App;
  readonly stack: SignalingStack;
  readonly template: Template;
  readonly outdir: string;
  /** The logical id CloudFormation will see for a construct's resource. */
  logicalId(construct: IConstruct): string;
  cleanup(): void;
}

export function synthesize(props: Partial<SignalingStackProps> = {}, options: SynthOptions = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'callsignal-cdk-out-'));
  const webDist = mkdtempSync(join(tmpdir(), 'callsignal-web-dist-'));
  writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>call</title><script src="assets/app-TESTHASH.js"></script>');
  mkdirSync(join(webDist, 'assets'));
  writeFileSync(join(webDist, 'assets', 'app-TESTHASH.js'), 'console.log("call client")');
  const cleanup = () => {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(webDist, { recursive: true, force: true });
  };
  try {
    const app = new App({
      outdir,
      context: { ...CDK_JSON_CONTEXT, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
    });
    const stack = new SignalingStack(app, STACK_NAME, { projectRoot: PROJECT_ROOT, webDistPath: webDist, ...props });
    options.extend?.(stack);
    if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const template = Template.fromStack(stack);
    const logicalId = (construct: IConstruct): string => {
      const element = construct.node.defaultChild ?? construct;
      if (!CfnElement.isCfnElement(element)) throw new Error(`${construct.node.path} is not a CloudFormation resource`);
      return Stack.of(element).resolve(element.logicalId) as string;
    };
    return { app, stack, template, outdir, logicalId, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** CloudFormation resources of one type, by logical id. */
export function resourcesOfType(
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown>; [key: string]: unknown }> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}
