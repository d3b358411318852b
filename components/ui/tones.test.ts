import { describe, expect, it } from 'vitest'
import { REMEDIATION_TONES, riskTone, SEVERITY_TONES, toneOf } from './tones'
import { errorText, fieldsOrError } from './use-org-action'

describe('tones', () => {
  it('give a known value its colour and anything else gray', () => {
    expect(toneOf(SEVERITY_TONES, 'high')).toBe('red')
    expect(toneOf(SEVERITY_TONES, 'medium')).toBe('amber')
    expect(toneOf(SEVERITY_TONES, 'whatever')).toBe('gray')
    expect(toneOf(SEVERITY_TONES, null)).toBe('gray')
  })

  it('colour a remediation the same wherever it shows (a manual task is amber, pending is blue)', () => {
    expect([toneOf(REMEDIATION_TONES, 'pending'), toneOf(REMEDIATION_TONES, 'manual'), toneOf(REMEDIATION_TONES, 'none')]).toEqual(['blue', 'amber', 'gray'])
  })

  it('band risk scores at 40 and 70', () => {
    expect([riskTone(0), riskTone(39), riskTone(40), riskTone(69), riskTone(70), riskTone(100)]).toEqual(['green', 'green', 'amber', 'amber', 'red', 'red'])
  })
})

describe('action messages', () => {
  it('errorText joins the message and every field message', () => {
    expect(errorText('Some fields need attention.', { reason: ['Too short'], ids: ['Pick one', 'At most 500'] })).toBe(
      'Some fields need attention. Too short Pick one At most 500',
    )
    expect(errorText(null, {})).toBeNull()
  })

  it('fieldsOrError prefers the fields’ messages', () => {
    expect(fieldsOrError('Some fields need attention.', { name: ['Give the view a name'] })).toBe('Give the view a name')
    expect(fieldsOrError('Not found', {})).toBe('Not found')
  })
})
