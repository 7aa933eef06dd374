/**
 * `npm start -- --turn`, run as an operator runs it (a child process): coturn beside the gateway,
 * credentials for it in `ice_servers`, and no coturn left behind however the gateway ends.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/local/paths';
import { stunAnswers } from '../../infra/local/stun-probe';
import { findTurnBinary } from '../../infra/local/turn-server';
import { TURN_SECRET_FILE } from '../../infra/local/turn-secret';
import {
  bannerOf,
  childrenNamed,
  iceServersOf,
  processGone,
  scratchDir,
  startGatewayCommand as start,
  stopGatewayCommands,
} from '../support/gateway-command';
import { eventually } from './helpers';

const TEST_TIMEOUT_MS = 60_000;

afterEach(stopGatewayCommands);

describe.runIf(findTurnBinary() !== undefined)('npm start -- --turn', () => {
  it(
    'hands out credentials for its own coturn in ice_servers, made with the secret kept in the data dir',
    async () => {
      const gateway = await start(['--turn']);
      expect(await bannerOf(gateway)).toMatch(/TURN: +turn:127\.0\.0\.1:\d+\?transport=udp/);
      const servers = await iceServersOf(gateway);
      const turn = servers.find((server) => [server.urls].flat().some((url) => url.startsWith('turn:')));
      expect(turn).toBeDefined();
      const urls = [turn?.urls ?? []].flat();
      expect(urls).toEqual([expect.stringMatching(/^turn:127\.0\.0\.1:\d+\?transport=udp$/), expect.stringMatching(/\?transport=tcp$/)]);
      // TURN REST credentials: `expiry:who`, and the HMAC of it with the shared secret.
      const secret = (await readFile(join(gateway.dataDir, TURN_SECRET_FILE), 'utf8')).trim();
      expect(turn?.username).toMatch(/^\d+:/);
      expect(turn?.credential).toBe(
        createHmac('sha1', secret)
          .update(turn?.username ?? '')
          .digest('base64'),
      );
      // And a TURN server answers there.
      const port = Number(/:(\d+)\?/.exec(urls[0] ?? '')?.[1]);
      expect(await stunAnswers('127.0.0.1', port, 2_000)).toBe(true);

      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
      expect(await stunAnswers('127.0.0.1', port, 500)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'leaves no coturn behind when the gateway is killed outright',
    async () => {
      const gateway = await start(['--turn']);
      const pid = gateway.child.pid ?? 0;
      const [turnPid] = await childrenNamed(pid, 'turnserver');
      expect(turnPid).toBeDefined();
      // SIGKILL to the gateway alone, not its group: no shutdown code runs.
      process.kill(pid, 'SIGKILL');
      await gateway.exited;
      expect(
        await eventually(
          () => processGone(turnPid ?? 0),
          (gone) => gone,
          10_000,
        ),
      ).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('npm start -- --turn without coturn', () => {
  it(
    'says in one line how to install coturn when it is missing, and runs without TURN',
    async () => {
      const emptyPath = await scratchDir('no-turnserver-');
      const gateway = await start(['--turn'], { ...process.env, PATH: emptyPath });
      const banner = await bannerOf(gateway);
      expect(banner.split('\n').filter((line) => line.includes('sudo apt-get install coturn'))).toHaveLength(1);
      expect(banner).not.toContain('TURN:  ');
      const servers = await iceServersOf(gateway);
      expect(servers.some((server) => [server.urls].flat().some((url) => url.startsWith('turn:')))).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('npm start -- --turn-address', () => {
  it('is refused without --turn, with the usage', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', '--turn-address', '127.0.0.1'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
    expect(code).toBe(2);
    expect(stderr).toContain('--turn-address needs --turn');
  });
});
