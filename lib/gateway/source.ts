/** The organization's gateway Source: every route is one of its Resources, every rule one of its Entitlements. */
export const GATEWAY_SOURCE_NAME = 'Custodian gateway'
export const GATEWAY_SOURCE_TYPE = 'gateway'
