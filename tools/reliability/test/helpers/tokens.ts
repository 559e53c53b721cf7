/** Token -> principal of the reliability servers (loopback only, not a secret). */
export const reliabilityTokens = { 'reliability-alice': 'alice', 'reliability-bob': 'bob' } as const;

/** Alice's token. */
export const aliceToken = 'reliability-alice';
/** Bob's token. */
export const bobToken = 'reliability-bob';
