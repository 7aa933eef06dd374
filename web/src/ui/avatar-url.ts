/**
 * The picture address a person may give at the local sign-in: empty, or a web address (http or
 * https) short enough for a token. Anything else is said plainly before the form is sent; avatars
 * only ever render web addresses (`avatar.ts`), so nothing else would show anyway.
 */
import { MAX_URL_CHARS } from '../../../shared/limits';

export function avatarUrlProblem(input: string): string | undefined {
  const text = input.trim();
  if (text === '') return undefined;
  if (text.length > MAX_URL_CHARS) return `That address is too long: at most ${MAX_URL_CHARS} characters.`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Enter a full picture address starting with https://, or leave it empty.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return 'Enter a picture address starting with https:// (or http://), or leave it empty.';
  }
  return undefined;
}
