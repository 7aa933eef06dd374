/**
 * The Lambda settings the cost model prices, read from the stack as `cdk synth` would deploy it
 * (offline, bundling skipped): each function's memory size and architecture, and how often the
 * sweeper is scheduled. Reading the synthesized template rather than a constant means an override
 * anywhere in the stack shows up here.
 */
import { resourcesOfType, synthesize } from '../infra/support/synth';
import { SWEEP_INTERVAL } from '../../infra/aws/call-handlers';

export interface FunctionSettings {
  memoryMb: number;
  architecture: string;
  timeoutSeconds: number;
}

export interface LambdaSettings {
  byFunction: Record<string, FunctionSettings>;
  sweepIntervalMinutes: number;
}

/** How often the stack schedules the sweeper. */
export function sweepIntervalMinutes(): number {
  return SWEEP_INTERVAL.toMinutes();
}

export function readLambdaSettings(): LambdaSettings {
  const synth = synthesize({}, {});
  try {
    const functions = resourcesOfType(synth.template, 'AWS::Lambda::Function');
    const byFunction: Record<string, FunctionSettings> = {};
    for (const [id, handler] of synth.stack.handlers.functions) {
      const properties = functions[synth.logicalId(handler.function)]?.Properties;
      if (!properties) throw new Error(`no Lambda function in the template for ${id}`);
      const architectures = properties.Architectures;
      byFunction[id] = {
        // CloudFormation's defaults when a property is absent: 128 MB, x86_64, 3 s.
        memoryMb: typeof properties.MemorySize === 'number' ? properties.MemorySize : 128,
        architecture: Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : 'x86_64',
        timeoutSeconds: typeof properties.Timeout === 'number' ? properties.Timeout : 3,
      };
    }
    return { byFunction, sweepIntervalMinutes: sweepIntervalMinutes() };
  } finally {
    synth.cleanup();
  }
}
