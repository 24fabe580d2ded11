// Prints "N passed, N failed" from vitest's JSON report and exits non-zero
// unless the test command succeeded, at least one test ran and none failed.
// A missing report (the type-check failed before vitest ran) counts as one failure.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, commandStatus] = process.argv.slice(2);
if (!existsSync(reportPath)) {
  console.log(`no test report at ${reportPath}: the test command failed before vitest ran`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const passed = report.numPassedTests;
// Failed tests, plus test files that failed to load (they report no tests).
const failedFiles = report.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0);
const failed = report.numFailedTests + failedFiles.length;
console.log(`${passed} passed, ${failed} failed`);
process.exit(Number(commandStatus) === 0 && passed > 0 && failed === 0 ? 0 : 1);
