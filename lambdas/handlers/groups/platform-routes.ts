/** Every route of the platform API in one function (`-c functionLayout=grouped`), each to its own handler; HTTP API events carry `METHOD /path` as `routeKey`. */
import type { PlatformEvent, PlatformResult } from '../../runtime/platform-route';
import { handler as platformCallGrants } from '../platform/platform-call-grants';
import { handler as platformPresence } from '../platform/platform-presence';
import { handler as platformCallLogs } from '../platform/platform-call-logs';
import { handler as platformCallInvite } from '../platform/platform-call-invite';
import { handler as platformSessionGrants } from '../platform/platform-session-grants';
import { groupHandler } from './dispatch';

export const handler = groupHandler<PlatformEvent, PlatformResult>(
  'platform-routes',
  {
    'platform-call-grants': platformCallGrants,
    'platform-presence': platformPresence,
    'platform-call-logs': platformCallLogs,
    'platform-call-invite': platformCallInvite,
    'platform-session-grants': platformSessionGrants,
  },
  (event) => event.routeKey,
);
