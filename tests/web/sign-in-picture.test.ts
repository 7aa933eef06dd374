/** The picture address of the local sign-in: what the form accepts, in plain words, and that the dev sign-in takes all of it. */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { TokenClaimsSchema } from '../../shared/identity';
import { MAX_URL_CHARS } from '../../shared/limits';
import { avatarUrlProblem } from '../../web/src/ui/avatar-url';

const serverTakes = (avatar: string) => v.is(TokenClaimsSchema, { profile_id: 1, profile_type: 'student', name: 'Sam', avatar });

describe('the picture address at sign-in', () => {
  it.each(['https://example.com/me.jpg', 'http://127.0.0.1:8080/a.png', ' https://example.com/padded.png '])(
    'accepts %s, and so does the dev sign-in',
    (address) => {
      expect(avatarUrlProblem(address)).toBeUndefined();
      expect(serverTakes(address.trim())).toBe(true);
    },
  );

  it('is optional', () => {
    expect(avatarUrlProblem('')).toBeUndefined();
    expect(avatarUrlProblem('   ')).toBeUndefined();
  });

  it.each(['javascript:alert(1)', 'data:image/png;base64,AAAA', 'ftp://example.com/me.jpg', 'file:///etc/passwd'])(
    'refuses %s, saying it must be a web address',
    (address) => {
      expect(avatarUrlProblem(address)).toMatch(/starting with https:\/\//);
    },
  );

  it('refuses an address without its scheme, saying what a full one looks like', () => {
    expect(avatarUrlProblem('example.com/me.jpg')).toMatch(/full picture address starting with https:\/\//);
  });

  it('refuses an address too long for a token, naming the limit', () => {
    const long = `https://example.com/${'a'.repeat(MAX_URL_CHARS)}`;
    expect(avatarUrlProblem(long)).toContain(String(MAX_URL_CHARS));
    expect(serverTakes(long)).toBe(false);
  });
});
