/**
 * What a socket says it understands beyond the seed's messages, declared once at connect in the
 * query parameter `features` (a comma list; see PROTOCOL.md, "Transport"). Names this server does
 * not know are ignored, so a client may name features of a newer server.
 */

export const CONNECT_FEATURES = [
  /** `ice_candidate` with `candidates: [...]`: without it, a socket gets one `candidate` per message (the seed's shape). */
  'candidate_batches',
] as const;
export type ConnectFeature = (typeof CONNECT_FEATURES)[number];

/** The connect query parameter naming the socket's features. */
export const FEATURES_QUERY_PARAMETER = 'features';

/** Bounds what is read of a client's list (each name is short, and there are few). */
const MAX_FEATURES_CHARS = 256;

/** The known features a `features` parameter names, each once, in the order of `CONNECT_FEATURES`. */
export function parseConnectFeatures(value: string | undefined): ConnectFeature[] {
  if (!value) return [];
  const named = new Set(
    value
      .slice(0, MAX_FEATURES_CHARS)
      .split(',')
      .map((name) => name.trim()),
  );
  return CONNECT_FEATURES.filter((feature) => named.has(feature));
}

/** The `features` value this project's client connects with. */
export const CLIENT_FEATURES: readonly ConnectFeature[] = ['candidate_batches'];
export const featuresQueryValue = (features: readonly ConnectFeature[]): string => features.join(',');
