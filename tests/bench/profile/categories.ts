/**
 * Which component of the gateway a sampled stack frame belongs to. A sample is charged to the
 * first frame, from the leaf up, that belongs to a known component (`categoryOfStack`): time in
 * `JSON.parse` called by the SDK's deserializer is the SDK's, time in `node:net` called by `ws`
 * is frame handling. Frames of node itself count only when no project or package frame is above
 * them (a socket read the event loop started).
 */

export const CATEGORIES = [
  'frame handling',
  'event building',
  'invoker',
  'validation',
  'rate limiting',
  'SDK middleware and serde',
  'SDK signing',
  'SDK HTTP handler',
  'HTTP and sockets (node)',
  'local signature check',
  'management API',
  'store proxy (as deployed)',
  'logging',
  'store (dynalite)',
  'handler core',
  'handler adapters',
  'gateway other',
  'module loading',
  'GC',
  'other threads (GC helpers, libuv)',
  'idle',
  'other',
] as const;

export type Category = (typeof CATEGORIES)[number];

/** A frame as the profile names it, with its source file where a source map told it. */
export interface FrameSource {
  functionName: string;
  /** A path or URL (`file:///…`, `node:net`), empty for the VM's own entries. */
  url: string;
}

const PACKAGE_RULES: readonly [RegExp, Category][] = [
  [
    /node_modules\/(dynalite|level[^/]*|abstract-level|memory-level|memdown|classic-level|module-error|lazy|big\.js|buffer-crc32|once|async)\//,
    'store (dynalite)',
  ],
  [
    /node_modules\/@smithy\/(signature-v4|core\/dist-[a-z]+\/submodules\/httpAuthSchemes)|node_modules\/@aws-sdk\/core\/dist-[a-z]+\/submodules\/httpAuthSchemes|node_modules\/@aws-sdk\/middleware-signing|@aws-crypto\/(sha256|util)/,
    'SDK signing',
  ],
  [/node_modules\/@smithy\/node-http-handler\//, 'SDK HTTP handler'],
  [/node_modules\/(@smithy|@aws-sdk|@aws-crypto|tslib|fast-xml-parser|strnum|bowser|uuid)\//, 'SDK middleware and serde'],
  [/node_modules\/valibot\//, 'validation'],
  [/node_modules\/ws\//, 'frame handling'],
  [/node_modules\/(tsx|esbuild|get-tsconfig)\//, 'module loading'],
];

const PROJECT_RULES: readonly [RegExp, Category][] = [
  [/shared\/(protocol|.*schema)/, 'validation'],
  [/infra\/local\/(client-connection|websocket-api|route-selection|frame-limit)\./, 'frame handling'],
  [/infra\/local\/events\./, 'event building'],
  [
    /infra\/local\/(invoker|handler-environment|functions)\.|infra\/local\/as-deployed\/(container-pool|container-protocol|lambda-runtime|deployed-functions)\./,
    'invoker',
  ],
  [/infra\/local\/(signature-v4|signed-endpoint|store-guard|browser-refusal|signature-refusals)\./, 'local signature check'],
  [/infra\/local\/management-api\./, 'management API'],
  [
    /infra\/local\/as-deployed\/(dynamodb-proxy|aws-requests|iam|caller-authorization|role-policies|access-denied)\./,
    'store proxy (as deployed)',
  ],
  [/infra\/local\/log\.|lambdas\/runtime\/log|shared\/routing-line/, 'logging'],
  [/lambdas\/core\/(rate-limiter|admission|refusal)/, 'rate limiting'],
  [/lambdas\/adapters\//, 'handler adapters'],
  [/lambdas\//, 'handler core'],
  [/infra\/local\//, 'gateway other'],
];

/** The component of a frame of the project or a package; undefined for node and the VM. */
export function componentOf(frame: FrameSource): Category | undefined {
  const { url } = frame;
  if (url === '' || url.startsWith('node:')) return undefined;
  for (const [pattern, category] of url.includes('node_modules/') ? PACKAGE_RULES : PROJECT_RULES) if (pattern.test(url)) return category;
  // Another package, or the bench's own relay plumbing (IPC) in the relay process.
  return 'other';
}

/** What a frame of node or the VM is, when nothing above it on the stack is the project's. */
export function nodeCategoryOf(frame: FrameSource): Category {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === 'writev' || functionName === 'writeUtf8String' || functionName === 'writeBuffer') return 'HTTP and sockets (node)';
    return 'other';
  }
  if (
    /node:(_http|http|https|net|stream|internal\/(streams|http|net|stream_base|js_stream))/.test(url) ||
    url.startsWith('node:internal/dns')
  )
    return 'HTTP and sockets (node)';
  if (/node:internal\/modules/.test(url)) return 'module loading';
  return 'other';
}

/** The category a sample is charged to, given its stack from the leaf up. */
export function categoryOfStack(stack: readonly FrameSource[]): Category {
  for (const frame of stack) {
    const component = componentOf(frame);
    if (component) return component;
  }
  for (const frame of stack) if (frame.url !== '') return nodeCategoryOf(frame);
  return stack[0] ? nodeCategoryOf(stack[0]) : 'other';
}
