#!/usr/bin/env node
// `npm test`: every *.test.mjs below test/, found by its place, except the suites that start a
// real n8n and have their own scripts (`npm run test:e2e`: test/e2e, and e2e/, the mail tooling
// with the email example's e2e; `npm run test:queue`: test/queue). Node 20's `node --test` takes
// no glob patterns (21 does), hence this walk. `node test/run.mjs --list` prints the files
// instead of running them; other arguments go to `node --test` (e.g.
// `--test-name-pattern=pacing`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const testDir = path.dirname(fileURLToPath(import.meta.url));
export const projectRoot = path.dirname(testDir);
/** The folders that hold test files: test/, and e2e/ (whose files only the e2e suite runs). */
const TEST_ROOTS = ['test', 'e2e'];
/** Folders below test/ whose files only their own scripts run. */
export const SUITE_DIRS = ['e2e', 'queue'];

function testFilesBelow(dir) {
	if (!fs.existsSync(dir)) return [];
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return testFilesBelow(full);
		return entry.name.endsWith('.test.mjs') ? [path.relative(projectRoot, full)] : [];
	});
}

/** Every *.test.mjs below test/ and e2e/, as paths relative to the project, sorted. */
export function allTestFiles() {
	return TEST_ROOTS.flatMap((root) => testFilesBelow(path.join(projectRoot, root))).sort();
}

export function unitTestFiles() {
	const suites = SUITE_DIRS.map((name) => path.join('test', name) + path.sep);
	return allTestFiles().filter(
		(file) => file.startsWith(`test${path.sep}`) && !suites.some((suite) => file.startsWith(suite)),
	);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	const args = process.argv.slice(2);
	if (args.includes('--list')) {
		console.log(unitTestFiles().join('\n'));
		process.exit(0);
	}
	const res = spawnSync(process.execPath, ['--test', ...args, ...unitTestFiles()], {
		cwd: projectRoot,
		stdio: 'inherit',
	});
	process.exit(res.status ?? 1);
}
