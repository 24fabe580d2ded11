// Prints "N passed, N failed" from vitest's JSON report and exits non-zero
// unless the test command succeeded, at least one test ran and none failed.
//  - A test that did not pass in a failed file counts as failed: a throwing
//    beforeAll marks its file's tests skipped, and a file that failed to load
//    reports no tests at all (it then counts as one failure).
//  - A missing report (the type-check failed before vitest ran), or a failing
//    test command that vitest reported no failure for, counts as one failure,
//    so the line never says "0 failed" for a failing run.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, commandStatus] = process.argv.slice(2);
const commandFailed = Number(commandStatus) !== 0;

let passed = 0;
let failed = 0;
if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  for (const file of report.testResults) {
    const results = file.assertionResults;
    passed += results.filter((test) => test.status === 'passed').length;
    if (file.status === 'failed') {
      failed += Math.max(1, results.filter((test) => test.status !== 'passed').length);
    } else {
      failed += results.filter((test) => test.status === 'failed').length;
    }
  }
} else {
  console.log(`no test report at ${reportPath}: the test command failed before vitest ran`);
}
if (commandFailed && failed === 0) failed = 1;

console.log(`${passed} passed, ${failed} failed`);
process.exit(!commandFailed && passed > 0 && failed === 0 ? 0 : 1);
