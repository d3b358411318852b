// Custodian's Cedar schema: what an organization's policies may talk about. Policies are validated against it on save,
// and every request the engine evaluates (exchange now; gateway and API calls next) is built in this shape.
//
// - principal `Identity`: the non-human identity asking (its inventory row: kind, environment, owned = has an owner,
//   privileged, name).
// - resource `Target`: what the request is for: `kind` "api" (Custodian's REST API; its environment is "unknown") or
//   "gateway_route" (one route of the gateway, with the route's environment: its Resource's), and its name.
// - actions `exchange` (RFC 8693 token exchange), `gateway_call` and `api_call` (declared so policies written for them
//   validate; only `exchange` is enforced so far).

export const CEDAR_SCHEMA = `entity Identity = {
  "kind": String,
  "environment": String,
  "owned": Bool,
  "privileged": Bool,
  "name": String,
};

entity Target = {
  "kind": String,
  "environment": String,
  "name": String,
};

action exchange appliesTo {
  principal: [Identity],
  resource: [Target],
  context: {
    "scopes": Set<String>,
    "ttlSeconds": Long,
    "task": String,
    "hasTask": Bool,
    "hourUtc": Long,
    "weekday": Long,
  },
};

action gateway_call appliesTo {
  principal: [Identity],
  resource: [Target],
  context: {
    "method": String,
    "path": String,
    "hourUtc": Long,
    "weekday": Long,
  },
};

action api_call appliesTo {
  principal: [Identity],
  resource: [Target],
  context: {
    "method": String,
    "operation": String,
    "hourUtc": Long,
    "weekday": Long,
  },
};
`

export const POLICY_ACTIONS = ['exchange', 'gateway_call', 'api_call'] as const
export type PolicyAction = (typeof POLICY_ACTIONS)[number]
