/** `call_settings`: the sender's own call settings, read or changed; changes reach every socket of the profile. */
import { updateProfileSettings } from '../core/settings-updates';
import { messageRoute } from '../runtime/handler';
import { logFailure } from '../runtime/log';

export const handler = messageRoute('call_settings', ({ runtime, sender, message }) =>
  updateProfileSettings(
    {
      profileSettings: runtime.profileSettings,
      store: runtime.store,
      messenger: runtime.messenger,
      settings: runtime.config,
      clock: runtime.clock,
      onFanOutFailed: (error) => logFailure('call_settings', null, error),
    },
    sender,
    message,
  ),
);
