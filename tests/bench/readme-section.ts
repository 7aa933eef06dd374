/**
 * Keeps the README's Performance section current: the text between the bench markers is
 * replaced with the latest results; nothing else in the README is touched.
 */
import { readFile, writeFile } from 'node:fs/promises';

export const BEGIN_MARKER = '<!-- bench:begin (written by npm run bench) -->';
export const END_MARKER = '<!-- bench:end -->';

/** Replaces what lies between the markers; false (and no write) when the README has no markers. */
export async function updateReadmeSection(readmePath: string, content: string): Promise<boolean> {
  const readme = await readFile(readmePath, 'utf8');
  const begin = readme.indexOf(BEGIN_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (begin < 0 || end < begin) return false;
  const updated = `${readme.slice(0, begin + BEGIN_MARKER.length)}\n${content.trim()}\n${readme.slice(end)}`;
  if (updated !== readme) await writeFile(readmePath, updated);
  return true;
}
