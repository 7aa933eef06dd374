/** Ids shaped like API Gateway's: 16 characters of base64 ending in `=` (for example `L0SM9cOFvHcCIhw=`). */
import { randomBytes } from 'node:crypto';

/** 11 random bytes encode to 15 base64 characters plus one `=`; `+` and `/` occur, as on AWS. */
export const newGatewayId = (): string => randomBytes(11).toString('base64');
