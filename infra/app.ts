/**
 * The CDK app: one signaling stack, checked by cdk-nag at synth.
 *
 * Settings come from context (`-c key=value` or cdk.json): stackName, stageName, webDist, retainData,
 * ringTimeoutSeconds, resumeGraceSeconds, livenessCheckSeconds, profileTypes, stunUrls, turn (turnUrls, turnSecretArn,
 * kvsTurnChannels), alarmTopicArn, bundleAwsSdk,
 * manageAccountLogRole, callPolicy, callGrantMaxTtlSeconds, platformPrincipalArn, functionLayout (per-route or grouped), and the abuse limits of
 * shared/abuse-limits.ts (socketsPerProfile, pairRingLimit, …). See the README (Deploying to AWS).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describeBuild, ensureWebClientBuilt, WEB_DIST } from '../web/build';
import { readAppSettings } from './aws/app-settings';
import { SignalingStack } from './aws/signaling-stack';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const app = new App();
const settings = readAppSettings((key) => app.node.tryGetContext(key) as unknown);

const webDistPath = resolve(projectRoot, settings.webDist);
// The project's own client is built here when missing or stale, so a fresh clone synthesizes as is.
if (webDistPath === WEB_DIST) {
  const built = await ensureWebClientBuilt();
  if (built) process.stderr.write(describeBuild(built));
}
if (!existsSync(resolve(webDistPath, 'index.html'))) {
  // A plain message, not a stack trace: this is a missing build step, not a bug.
  process.stderr.write(
    `The web client is not built: ${resolve(webDistPath, 'index.html')} does not exist.\n` +
      'Build it first (npx tsx web/build.ts writes web/dist), or point -c webDist=<dir> at a built client.\n',
  );
  process.exit(1);
}

new SignalingStack(app, settings.stackName, {
  description: 'Call signaling: WebSocket API, handlers, tables and the web call client',
  projectRoot,
  webDistPath,
  stageName: settings.stageName,
  retainData: settings.retainData,
  ringTimeoutSeconds: settings.ringTimeoutSeconds,
  resumeGraceSeconds: settings.resumeGraceSeconds,
  livenessCheckSeconds: settings.livenessCheckSeconds,
  ...(settings.stunUrls ? { stunUrls: settings.stunUrls } : {}),
  turn: settings.turn,
  manageAccountLogRole: settings.manageAccountLogRole,
  bundleAwsSdk: settings.bundleAwsSdk,
  tokenMaxLifetimeSeconds: settings.tokenMaxLifetimeSeconds,
  ...(settings.tokenIssuer ? { tokenIssuer: settings.tokenIssuer } : {}),
  ...(settings.tokenAudience ? { tokenAudience: settings.tokenAudience } : {}),
  ...(settings.profileTypes ? { profileTypes: settings.profileTypes } : {}),
  ...(settings.alarmTopicArn ? { alarmTopicArn: settings.alarmTopicArn } : {}),
  ...(settings.callPolicy ? { callPolicy: settings.callPolicy } : {}),
  ...(settings.callGrantMaxTtlSeconds !== undefined ? { callGrantMaxTtlSeconds: settings.callGrantMaxTtlSeconds } : {}),
  ...(settings.platformPrincipalArn ? { platformPrincipalArn: settings.platformPrincipalArn } : {}),
  abuseLimits: settings.abuseLimits,
  functionLayout: settings.functionLayout,
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
