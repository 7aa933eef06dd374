/** `GET /v1/profiles/{profile_type}/{profile_id}/calls`: a profile's call logs, newest first, a page at a time. */
import { CallLogsPathSchema, CallLogsQuerySchema } from '../../../shared/platform-api';
import { profileCallLogs } from '../../core/platform-queries';
import { pathOf, platformRoute, queryOf } from '../../runtime/platform-route';

export const handler = platformRoute('platform-call-logs', async ({ runtime, event }) => {
  const { profile_type: profileType, profile_id: profileId } = pathOf(event, CallLogsPathSchema);
  const { limit, before } = queryOf(event, CallLogsQuerySchema);
  return { body: await profileCallLogs(runtime.store, { profileType, profileId, limit, before }) };
});
