/**
 * What the gateway and a container say to each other over the container's IPC channel (JSON, as
 * Lambda serializes events and results): the container reports `ready` once its handler is loaded,
 * then takes one `invoke` at a time and answers each with its `result`.
 */

/** A thrown value as Lambda reports it: its name, message and stack. */
export interface ErrorShape {
  name: string;
  message: string;
  stack?: string;
}

/** The Lambda `Context` of one invocation, minus its methods (rebuilt in the container). */
export interface InvocationContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  /** Epoch ms when the invocation times out (`getRemainingTimeInMillis` counts down to it). */
  deadlineMs: number;
}

export type ToContainer = { type: 'invoke'; id: number; event: unknown; context: InvocationContext };

export type FromContainer =
  | { type: 'ready'; initMs: number }
  | { type: 'init_failed'; error: ErrorShape }
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: ErrorShape };

/** Where the container finds its code and handler: the names Lambda's own runtime reads. */
export const TASK_ROOT_ENV = 'LAMBDA_TASK_ROOT';
export const HANDLER_ENV = '_HANDLER';

export function errorShape(error: unknown): ErrorShape {
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { name: typeof error, message: String(error) };
}

/** An `Error` carrying the name, message and stack a container reported. */
export function errorFromShape(shape: ErrorShape): Error {
  const error = new Error(shape.message);
  error.name = shape.name;
  if (shape.stack !== undefined) error.stack = shape.stack;
  return error;
}
