import type { Connector } from '@/lib/connectors/types'

/**
 * Stands in for a source that has no live connection (the demo organization's AWS, GCP, GitHub... sources):
 * every action "applies" at once. Remediations through it are marked simulated and shown as such.
 */
export const demoConnector: Connector = {
  type: 'demo',
  supports: {
    revoke_grant: true,
    disable_identity: true,
    enable_identity: true,
    delete_identity: true,
    revoke_credential: true,
    rotate_credential: true,
  },
  async *discover() {},
  async act(_ctx, action, target) {
    return { status: 'applied', detail: `Simulated ${action.replace('_', ' ')} for ${target.identityExternalId} (demo source, nothing was changed anywhere).` }
  },
}
