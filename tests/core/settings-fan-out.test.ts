/**
 * A saved change of call settings is a change made: the sender is told so even when the profile's
 * other sockets cannot be listed to be told too (the failure is reported, not answered as an error).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoProfileSettings } from '../../lambdas/adapters/profile-settings-store';
import { Messenger } from '../../lambdas/core/messenger';
import { updateProfileSettings } from '../../lambdas/core/settings-updates';
import type { CallStore } from '../../lambdas/core/model';
import { storeClient } from '../../infra/local/store';
import { PROFILE_SETTINGS_TABLE } from '../../shared/tables';
import { SETTINGS, startWorld, stopWorld, type World } from './world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await stopWorld();
});

it("answers a saved block to the blocker, and reports the other tabs it could not reach, when the profile's sockets cannot be listed", async () => {
  const blocker = await world.connect('fan-out-tab-1', 'tutor', 80_001);
  await world.connect('fan-out-tab-2', 'tutor', 80_001);
  const profileSettings = new DynamoProfileSettings(PROFILE_SETTINGS_TABLE.localName, storeClient(world.endpoint));
  // The one stand-in here: the embedded store cannot be made to fail a query of the profile index.
  const unlistable: Pick<CallStore, 'socketsOf'> = {
    socketsOf: () => Promise.reject(new Error('the profile index did not answer')),
  };
  const failures: unknown[] = [];

  const decisions = await updateProfileSettings(
    {
      profileSettings,
      store: unlistable,
      messenger: new Messenger(world.sockets),
      settings: SETTINGS,
      clock: world.clock,
      onFanOutFailed: (error) => failures.push(error),
    },
    blocker,
    { type: 'call_settings', block: [{ profile_id: 80_002, profile_type: 'student', name: 'Sam' }] },
  );

  expect(decisions).toEqual([expect.objectContaining({ outcome: 'replied', reason: 'changed', sockets_reached: 1 })]);
  expect(world.sockets.received.get('fan-out-tab-1')).toEqual([
    expect.objectContaining({ type: 'call_settings', blocked: [{ profile_id: 80_002, profile_type: 'student', name: 'Sam' }] }),
  ]);
  expect(world.sockets.typesAt('fan-out-tab-2')).toEqual([]);
  expect(failures).toEqual([expect.objectContaining({ message: 'the profile index did not answer' })]);
  expect((await profileSettings.settingsOf(blocker.key))?.blocked.map((entry) => entry.profileId)).toEqual([80_002]);
});
