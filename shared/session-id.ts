/**
 * Session ids are the platform's: the same characters a profile id may hold, at most 64. Apart from
 * the session protocol's schemas, so a page that only reads session links does not bundle them.
 */
import * as v from 'valibot';

export const SESSION_ID_PATTERN = /^[A-Za-z0-9._:@-]{1,64}$/;
export const SessionIdSchema = v.pipe(v.string(), v.regex(SESSION_ID_PATTERN, 'session_id must be 1-64 of A-Z a-z 0-9 . _ : @ -'));
