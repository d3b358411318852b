#!/usr/bin/env node
// Adds up the JSON reports of Vitest and Playwright into one closing line: "N passed, N failed".
import fs from 'node:fs'
import path from 'node:path'

const [dir, failedStepsArg] = process.argv.slice(2)
let passed = 0
let failed = 0
let skipped = 0
for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
  if (!file.endsWith('.json')) continue
  let report
  try {
    report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
  } catch {
    console.log(`summary: ${file} is unreadable`)
    failed++
    continue
  }
  if ('numPassedTests' in report) {
    passed += report.numPassedTests
    failed += report.numFailedTests
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
    console.log(`summary: ${file}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`)
  } else if (report.stats) {
    const s = report.stats
    passed += s.expected + (s.flaky ?? 0)
    failed += s.unexpected
    skipped += s.skipped ?? 0
    console.log(`summary: ${file}: ${s.expected + (s.flaky ?? 0)} passed, ${s.unexpected} failed${s.flaky ? ` (${s.flaky} flaky)` : ''}`)
  }
}
const failedSteps = Number(failedStepsArg ?? 0)
console.log('')
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed > 0 || failedSteps > 0 ? 1 : 0)
