import 'server-only'
import { createWriteStream } from 'node:fs'
import { finished } from 'node:stream/promises'
import PDFDocument from 'pdfkit'
import { definitionRows, evidenceItems, secondsText, type EvidenceSummary, type Generated, type ReportCampaign } from './campaign-evidence'
import { cellText } from './csv'

type Scope = { org: { id: string; slug: string; name: string } }

const MARGIN = 36
const FOOTER = 28
// The built-in Helvetica covers Windows-1252 only: anything else prints as "?" rather than as wrong letters.
const printable = (s: string) => s.replace(/[^\x20-\x7e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/g, '?')

type Col = { title: string; width: number }

/**
 * Renders the evidence PDF to a file: cover with the campaign and its figures, the completeness and exceptions
 * tables, then the item table (landscape A4), each page numbered and stamped with when and by whom it was made.
 * Resolves only once the whole file is written; any failure rejects, so no partial file is ever sent.
 */
export async function renderCampaignPdf(
  ctx: Scope,
  c: ReportCampaign,
  s: EvidenceSummary,
  gen: Generated,
  path: string,
  /** told the items drawn so far after each page of them (a background export's progress) */
  onItems?: (items: number) => void,
): Promise<void> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    info: { Title: `Campaign evidence: ${printable(c.name)}`, Author: 'Custodian', Subject: `${ctx.org.name} campaign ${c.id}`, CreationDate: gen.at },
  })
  const out = createWriteStream(path)
  doc.pipe(out)
  const done = finished(out)
  let failure: unknown = null
  doc.on('error', (err) => (failure = err))

  const width = doc.page.width - 2 * MARGIN
  const bottom = () => doc.page.height - MARGIN - FOOTER
  let pageNo = 0
  const stamp = () => {
    pageNo++
    const y = doc.page.height - MARGIN - 12
    doc.save().font('Helvetica').fontSize(7).fillColor('#475569')
    doc.text(printable(`${ctx.org.name} · ${c.name} · generated ${gen.at.toISOString()} by ${gen.by.name} <${gen.by.email}>`), MARGIN, y, {
      width: width - 60,
      height: 9,
      ellipsis: true,
    })
    doc.text(`Page ${pageNo}`, MARGIN + width - 60, y, { width: 60, align: 'right', lineBreak: false })
    doc.restore()
    doc.x = MARGIN
    doc.y = MARGIN
  }
  doc.on('pageAdded', stamp)
  stamp()

  const heading = (text: string, size = 13) => {
    if (doc.y + 40 > bottom()) doc.addPage()
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(size).fillColor('#0f172a').text(printable(text), MARGIN, doc.y, { width })
    doc.moveDown(0.3)
  }

  const startTable = (cols: Col[], opts: { size?: number } = {}) => {
    const size = opts.size ?? 8
    const total = cols.reduce((a, col) => a + col.width, 0)
    const widths = cols.map((col) => (col.width / total) * width)
    const rowH = size + 6
    const header = () => {
      const y = doc.y
      doc.rect(MARGIN, y, width, rowH).fill('#e2e8f0')
      doc.font('Helvetica-Bold').fontSize(size).fillColor('#0f172a')
      let x = MARGIN
      cols.forEach((col, i) => {
        doc.text(printable(col.title), x + 2, y + 3, { width: widths[i] - 4, height: size + 2, ellipsis: true })
        x += widths[i]
      })
      doc.y = y + rowH
    }
    header()
    let n = 0
    // A row grows to show up to three lines of its longest cell (a justification), then ends with an ellipsis.
    const line = size * 1.2
    return (rows: string[][]) => {
      for (const r of rows) {
        doc.font('Helvetica').fontSize(size)
        const cells = cols.map((_, i) => printable(r[i] ?? ''))
        const lines = Math.min(3, Math.max(1, ...cells.map((t, i) => Math.ceil(doc.heightOfString(t, { width: widths[i] - 4 }) / line))))
        const h = rowH + (lines - 1) * line
        if (doc.y + h > bottom()) {
          doc.addPage()
          header()
        }
        const y = doc.y
        if (n % 2) doc.rect(MARGIN, y, width, h).fill('#f8fafc')
        doc.font('Helvetica').fontSize(size).fillColor('#0f172a')
        let x = MARGIN
        cells.forEach((t, i) => {
          doc.text(t, x + 2, y + 3, { width: widths[i] - 4, height: lines * line, ellipsis: true })
          x += widths[i]
        })
        doc.y = y + h
        n++
      }
      doc.x = MARGIN
    }
  }
  const table = (cols: Col[], rows: string[][], opts: { size?: number } = {}) => startTable(cols, opts)(rows)

  // Cover
  doc.font('Helvetica').fontSize(10).fillColor('#4f46e5').text('CUSTODIAN · CAMPAIGN EVIDENCE', MARGIN, doc.y, { width })
  doc.moveDown(0.3).font('Helvetica-Bold').fontSize(22).fillColor('#0f172a').text(printable(c.name), { width })
  doc
    .moveDown(0.2)
    .font('Helvetica')
    .fontSize(10)
    .fillColor('#334155')
    .text(printable(`${ctx.org.name} · ${c.type} review · ${c.status}`), { width })
  const k = s.completeness
  const r = s.revokes
  const figures: [string, string][] = [
    ['Population', String(k.population)],
    ['Decided', String(k.decided)],
    ['Open', String(k.open)],
    ['Excluded', String(k.excluded)],
    ['SoD exceptions', String(s.sod.length)],
    ['Revokes applied', `${r.applied} of ${r.total}`],
    ['Median to applied', r.medianSeconds === null ? '–' : duration(r.medianSeconds)],
    ['p95 to applied', r.p95Seconds === null ? '–' : duration(r.p95Seconds)],
  ]
  doc.moveDown(0.8)
  const boxW = width / figures.length
  const boxY = doc.y
  figures.forEach(([label, value], i) => {
    const x = MARGIN + i * boxW
    doc.roundedRect(x + 2, boxY, boxW - 4, 48, 4).fillAndStroke('#f1f5f9', '#cbd5e1')
    doc
      .font('Helvetica-Bold')
      .fontSize(15)
      .fillColor('#0f172a')
      .text(value, x + 8, boxY + 8, { width: boxW - 16, height: 18, ellipsis: true })
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor('#475569')
      .text(label, x + 8, boxY + 30, { width: boxW - 16, height: 10, ellipsis: true })
  })
  doc.x = MARGIN
  doc.y = boxY + 60
  heading('Campaign definition')
  table(
    columns([
      ['Field', 1],
      ['Value', 4],
    ]),
    definitionRows(ctx, c, s, gen).map(([f, v]) => [f.replace(/_/g, ' '), cellText(v)]),
  )

  heading('Completeness')
  table(
    ['Population', 'Decided', 'Of which by default', 'Open', 'Excluded', 'Items at launch', 'Adds up'].map((title) => ({ title, width: 1 })),
    [[k.population, k.decided, k.decidedByDefault, k.open, k.excluded, k.launched, k.addsUp ? 'yes' : 'NO']].map((row) => row.map(String)),
    { size: 9 },
  )
  heading('Revoke to applied')
  table(
    ['Revokes', 'Applied', 'Pending', 'Manual', 'Failed', 'Median', 'p95', 'Slowest', 'Slowest identity'].map((title) => ({ title, width: 1 })),
    [
      [
        String(r.total),
        String(r.applied),
        String(r.pending),
        String(r.manual),
        String(r.failed),
        r.medianSeconds === null ? '' : duration(r.medianSeconds),
        r.p95Seconds === null ? '' : duration(r.p95Seconds),
        r.slowest ? duration(r.slowest.seconds) : '',
        r.slowest?.identity ?? '',
      ],
    ],
    { size: 9 },
  )
  heading(`Separation of duties exceptions (${s.sod.length})`)
  if (s.sod.length === 0)
    doc.font('Helvetica').fontSize(9).fillColor('#334155').text('None: no decision in force was made by the identity’s own owner.', { width })
  else
    table(
      columns([
        ['Identity', 3],
        ['Owner at launch', 2],
        ['Decided by', 2],
        ['Decision', 1],
        ['Stage', 1],
        ['Item', 2],
      ]),
      s.sod.map((e) => [e.identity, e.owner, e.decidedBy, e.decision, String(e.stage), e.itemId]),
    )

  doc.addPage()
  heading(`Items (${k.population})`)
  const cols = columns([
    ['Identity', 14],
    ['Entitlement / credential', 14],
    ['Owner at launch', 9],
    ['Reviewer', 9],
    ['Stage', 3],
    ['Decision', 6],
    ['Decided by', 9],
    ['Decided at (UTC)', 10],
    ['Justification', 16],
    ['Recommended', 8],
    ['Remediation', 8],
  ])
  let addRows: ((rows: string[][]) => void) | null = null
  let drawn = 0
  for await (const page of evidenceItems(ctx, c)) {
    if (failure) break
    const rows = page.map((i) => [
      i.identity,
      i.entitlement || i.credential || '(identity)',
      i.ownerAtLaunch,
      i.reviewer + (i.delegatedFrom ? ` (${i.delegatedFrom})` : ''),
      String(i.stage),
      i.decision,
      i.decidedBy,
      i.decidedAt ? i.decidedAt.toISOString().slice(0, 16).replace('T', ' ') : '',
      i.justification,
      i.recommendation,
      i.remediationStatus === 'none' ? '' : i.remediationStatus,
    ])
    addRows ??= startTable(cols, { size: 7 })
    addRows(rows)
    drawn += rows.length
    onItems?.(drawn)
  }
  if (!addRows) doc.font('Helvetica').fontSize(9).text('No items.', { width })
  doc.end()
  await done
  if (failure) throw failure
}

/** Table columns from [title, relative width] pairs. */
function columns(spec: [string, number][]): Col[] {
  return spec.map(([title, width]) => ({ title, width }))
}

function duration(seconds: number): string {
  if (seconds < 120) return `${secondsText(seconds)} s`
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`
  return `${(seconds / 86400).toFixed(1)} d`
}
