// Custodian's Cedar schema: what an organization's policies may talk about. Policies are validated against it on save,
// and every request the engine evaluates (exchange now; gateway and API calls next) is built in this shape.
//
// - principal `Identity`: the non-human identity asking (its inventory row: kind, environment, owned = has an owner,
//   privileged, name).
// - resource `Target`: what the request is for: `kind` "api" (Custodian's REST API; its environment is "unknown") or
//   "gateway_route" (one route of the gateway, with the route's environment: its Resource's), and its name.
// - actions, each enforced where it happens:
//   `exchange` (RFC 8693 token exchange, lib/federation/exchange.ts);
//   `gateway_call` (every call through the access gateway, lib/gateway/runtime/server.ts): method, path below the
//   route's prefix, the caller's address (`sourceIp`, an `ipaddr`: `context.sourceIp.isInRange(ip("10.0.0.0/8"))`;
//   0.0.0.0 when the gateway cannot tell), the token's kind ("gateway_token": a cust_ gateway API token;
//   "access_token": a JWT from the token exchange, with its task), and `unusual`: the identity has an open
//   "unusual gateway use" finding (lib/gateway/unusual.ts);
//   `api_call` (every /api/v1 call made with an exchanged access token, lib/api/route.ts; cust_ API tokens keep their
//   scope checks only): the operation id, method, the scope the operation needs, the token's task.

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
    "sourceIp": ipaddr,
    "tokenKind": String,
    "task": String,
    "hasTask": Bool,
    "unusual": Bool,
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
    "scope": String,
    "task": String,
    "hasTask": Bool,
    "hourUtc": Long,
    "weekday": Long,
  },
};
`

export const POLICY_ACTIONS = ['exchange', 'gateway_call', 'api_call'] as const
export type PolicyAction = (typeof POLICY_ACTIONS)[number]
/** How a gateway call authenticated: a cust_ gateway API token, or an access token from the token exchange (a JWT). */
export const TOKEN_KINDS = ['gateway_token', 'access_token'] as const
export type TokenKind = (typeof TOKEN_KINDS)[number]
