import { z } from 'zod'
import { firstValues, pageParams, type SearchParamsRecord } from '@/components/data-table/search-params'

const invitations = pageParams(25)

/** Settings: the page and size of the members list, and of pending invitations (`ipage`, `isize`). */
export const settingsListSchema = z.object({ ...pageParams(50), ipage: invitations.page, isize: invitations.size })

export function parseSettingsSearchParams(sp: SearchParamsRecord) {
  return settingsListSchema.parse(firstValues(sp))
}
