#!/usr/bin/env node
// Adds up the JSON reports of Vitest and Playwright into one closing line: "N passed, N failed".
import fs from 'node:fs'
import path from 'node:path'

const [dir, failedStepsArg] = process.argv.slice(2)
let passed = 0
let failed = 0
let skipped = 0
// The failed tests by name, printed last: CI keeps only the tail of the log, so a failure must be named there.
const failures = []
const firstLine = (text) =>
  String(text ?? '')
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .find((l) => l.trim()) ?? ''
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
    for (const suite of report.testResults ?? []) {
      const failedTests = (suite.assertionResults ?? []).filter((t) => t.status === 'failed')
      for (const t of failedTests) {
        // The duration tells a timeout (whose message is only a stack) from an assertion.
        const took = t.duration ? ` (after ${(t.duration / 1000).toFixed(1)} s)` : ''
        failures.push(`${file}: ${path.relative(process.cwd(), suite.name)} › ${t.fullName}${took}: ${firstLine(t.failureMessages?.[0])}`)
      }
      // A file that fails to load has no assertion results, only a message.
      if (suite.status === 'failed' && failedTests.length === 0) {
        failures.push(`${file}: ${path.relative(process.cwd(), suite.name)}: ${firstLine(suite.message)}`)
      }
    }
  } else if (report.stats) {
    const s = report.stats
    passed += s.expected + (s.flaky ?? 0)
    failed += s.unexpected
    skipped += s.skipped ?? 0
    console.log(`summary: ${file}: ${s.expected + (s.flaky ?? 0)} passed, ${s.unexpected} failed${s.flaky ? ` (${s.flaky} flaky)` : ''}`)
    const walk = (suite, outer) => {
      const titles = suite.title && !/\.(ts|js)$/.test(suite.title) ? [...outer, suite.title] : outer
      for (const spec of suite.specs ?? []) {
        for (const test of spec.tests ?? []) {
          if (test.status !== 'unexpected' && test.status !== 'flaky') continue
          const error = test.results?.find((r) => r.error)?.error?.message
          failures.push(
            `${file}: ${spec.file}:${spec.line} › ${[...titles, spec.title].join(' › ')}${test.status === 'flaky' ? ' (flaky, passed on retry)' : ''}: ${firstLine(error)}`,
          )
        }
      }
      for (const child of suite.suites ?? []) walk(child, titles)
    }
    for (const suite of report.suites ?? []) walk(suite, [])
  }
}
const failedSteps = Number(failedStepsArg ?? 0)
console.log('')
if (failures.length > 0) {
  console.log('')
  console.log('failed tests:')
  for (const f of failures) console.log(`  ${f.length > 400 ? `${f.slice(0, 400)}…` : f}`)
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed > 0 || failedSteps > 0 ? 1 : 0)
