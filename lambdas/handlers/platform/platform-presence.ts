/** `POST /v1/presence`: `is_online` for up to 100 profiles, unfiltered (the platform is the authority). */
import { PlatformPresenceRequestSchema } from '../../../shared/platform-api';
import { platformPresence } from '../../core/platform-queries';
import { bodyOf, platformRoute } from '../../runtime/platform-route';

export const handler = platformRoute('platform-presence', async ({ runtime, event }) => ({
  body: await platformPresence(runtime.store, bodyOf(event, PlatformPresenceRequestSchema)),
}));
