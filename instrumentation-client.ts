import { config } from 'zod'

// zod probes `new Function('')` to decide whether to compile parsers; under the CSP (no 'unsafe-eval') that probe
// is blocked and reported as a violation. Parse without eval in the browser, before any page code runs.
config({ jitless: true })
