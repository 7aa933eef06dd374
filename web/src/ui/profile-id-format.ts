/** What a profile ID may be, in words: said where one is typed, instead of the browser's "Please match the requested format". */
import { PROFILE_ID_MAX_LENGTH, PROFILE_ID_PATTERN } from '../../../shared/profile';

const ALLOWED_CHARACTER = /[A-Za-z0-9._:@-]/;
const FORMAT = 'Profile IDs use only A–Z, a–z, 0–9 and . _ : @ - (for example 42 or tutor-7)';

/** Why `text` is not a profile ID, in a sentence; undefined when it is one, or is empty (nothing typed yet). */
export function profileIdProblem(text: string): string | undefined {
  const id = text.trim();
  if (id === '' || PROFILE_ID_PATTERN.test(id)) return undefined;
  if (id.length > PROFILE_ID_MAX_LENGTH) return `A profile ID has at most ${PROFILE_ID_MAX_LENGTH} characters.`;
  const wrong = [...id].find((character) => !ALLOWED_CHARACTER.test(character));
  return wrong === undefined ? `${FORMAT}.` : `${FORMAT}; “${wrong === ' ' ? 'space' : wrong}” isn't allowed.`;
}

/** Makes the browser's own message for a wrong ID (shown on submit) say the format. */
export function explainProfileIdFormat(input: HTMLInputElement): void {
  const explain = () => input.setCustomValidity(profileIdProblem(input.value) ?? '');
  input.addEventListener('input', explain);
  explain();
}
