/**
 * `npm start -- --as-deployed --turn`: the synthesized `ice_servers` function, in its own container,
 * hands out credentials for the gateway's coturn, made with the secret in the data dir.
 */
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stunAnswers } from '../../infra/local/stun-probe';
import { findTurnBinary } from '../../infra/local/turn-server';
import { TURN_SECRET_FILE } from '../../infra/local/turn-secret';
import { iceServersOf, startGatewayCommand, stopGatewayCommands } from '../support/gateway-command';
import { asDeployedArgs } from '../support/gateway-mode';

afterEach(stopGatewayCommands);

describe.runIf(findTurnBinary() !== undefined)('npm start -- --as-deployed --turn', () => {
  it('gives the containers TURN_URLS and TURN_SECRET: ice_servers offers the running coturn, with credentials made from the data dir’s secret', async () => {
    const gateway = await startGatewayCommand([...asDeployedArgs(), '--turn']);
    const servers = await iceServersOf(gateway);
    const turn = servers.find((server) => [server.urls].flat().some((url) => url.startsWith('turn:127.0.0.1:')));
    const secret = (await readFile(join(gateway.dataDir, TURN_SECRET_FILE), 'utf8')).trim();
    expect(turn?.username).toMatch(/^\d+:/);
    expect(turn?.credential).toBe(
      createHmac('sha1', secret)
        .update(turn?.username ?? '')
        .digest('base64'),
    );
    const port = Number(/:(\d+)\?/.exec([turn?.urls ?? []].flat()[0] ?? '')?.[1]);
    expect(await stunAnswers('127.0.0.1', port, 2_000)).toBe(true);
  }, 120_000);
});
