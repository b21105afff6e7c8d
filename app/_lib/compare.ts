// The paired scenarios of the Compare page: the same theft against each binding.
export const PAIR = { mtls: 'mtls-stolen-token-other-certificate', dpop: 'dpop-stolen-token-attacker-key' } as const;
