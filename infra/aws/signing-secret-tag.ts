/**
 * How a deployed stack's JWT signing secret is found again: the secret carries this tag with the
 * stack name as its value. Kept apart from the construct so the token CLI reads it without
 * loading the CDK.
 */
export const SIGNING_SECRET_TAG = 'callsignal:signing-secret-of-stack';
