/** Serves the built web client (`web/dist`) on the gateway's port: GET/HEAD only, never outside its root. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { sendText } from './http-util';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

const NOT_BUILT_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>Call signaling (local)</title>
<h1>The web client is not built</h1>
<p>The gateway is running: the WebSocket API, <code>/dev/token</code> and <code>/config.json</code> work.
The browser client is served from <code>web/dist</code>, which does not exist yet: build the client in
<code>web/</code>, then reload this page.</p>
`;

async function fileAt(path: string): Promise<{ path: string; size: number } | undefined> {
  try {
    const info = await stat(path);
    if (info.isFile()) return { path, size: info.size };
    if (info.isDirectory()) return fileAt(join(path, 'index.html'));
  } catch {
    // Missing: fall through to 404.
  }
  return undefined;
}

/** The file a URL path names inside `root`, or undefined when it would leave it or is not valid. */
export function resolveInside(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const absoluteRoot = resolve(root);
  const target = resolve(absoluteRoot, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  return target === absoluteRoot || target.startsWith(absoluteRoot + sep) ? target : undefined;
}

export async function serveStatic(request: IncomingMessage, response: ServerResponse, pathname: string, webRoot: string): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return sendText(response, 405, 'Method Not Allowed\n');
  }
  const rootExists = (await stat(webRoot).catch(() => undefined))?.isDirectory() ?? false;
  if (!rootExists) {
    return pathname === '/' ? sendText(response, 200, NOT_BUILT_PAGE, 'text/html; charset=utf-8') : sendText(response, 404, 'Not Found\n');
  }
  const target = resolveInside(webRoot, pathname);
  const file = target === undefined ? undefined : await fileAt(target);
  if (!file) return sendText(response, 404, 'Not Found\n');
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': file.size,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (request.method === 'HEAD') return void response.end();
  createReadStream(file.path)
    .on('error', () => response.destroy())
    .pipe(response);
}
