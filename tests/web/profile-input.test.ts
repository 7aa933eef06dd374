/** What a person types as a profile id: what the sign-in field accepts and what the client sends. */
import { describe, expect, it } from 'vitest';
import { PROFILE_ID_PATTERN, profileIdFromInput } from '../../shared/profile';
import { htmlPattern } from '../../web/src/ui/dom';

/** How a browser applies an input's `pattern`: anchored, compiled with the `v` flag. */
const asBrowserCompilesIt = (pattern: string) => new RegExp(`^(?:${pattern})$`, 'v');

describe('the profile id field', () => {
  const field = asBrowserCompilesIt(htmlPattern(PROFILE_ID_PATTERN));

  it.each(['42', 'abc-123', 'a.b_c:d@e', 'x'.repeat(64)])('accepts %s, as the server does', (id) => {
    expect(field.test(id)).toBe(true);
    expect(PROFILE_ID_PATTERN.test(id)).toBe(true);
  });

  it.each(['', 'a b', 'a/b', 'ü', 'x'.repeat(65)])('refuses %j, as the server does', (id) => {
    expect(field.test(id)).toBe(false);
    expect(PROFILE_ID_PATTERN.test(id)).toBe(false);
  });

  it('refuses a pattern that is not anchored at both ends', () => {
    expect(() => htmlPattern(/[a-z]+$/)).toThrow(/anchored/);
  });
});

describe('a typed profile id', () => {
  it('is sent as a number when it is digits, as the platform numbers its profiles', () => {
    expect(profileIdFromInput(' 456 ')).toBe(456);
    expect(profileIdFromInput('999999999999999')).toBe(999_999_999_999_999);
  });

  it('stays a string when it is not digits, or too long to be exact as a number', () => {
    expect(profileIdFromInput('tutor-7')).toBe('tutor-7');
    expect(profileIdFromInput('1234567890123456')).toBe('1234567890123456');
  });
});
