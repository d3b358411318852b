export const TYPE_SHORT: Record<string, string> = { identity: 'Identity attestation', entitlement: 'Entitlement review', credential: 'Credential review' }
