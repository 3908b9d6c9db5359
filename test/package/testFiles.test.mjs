// Every test file runs somewhere: `npm test` finds the unit files by their place below test/,
// and each file a unit run leaves out (the rest of test/, and e2e/) belongs to a suite with its
// own script. A file that neither picks up (say a folder the e2e runner does not walk into)
// would never run at all.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import { allTestFiles, projectRoot as PACKAGE_DIR } from '../run.mjs';

const RUNNERS = {
	test: 'test/run.mjs',
	'test:e2e': 'test/e2e/run.mjs',
	'test:queue': 'test/queue/run.mjs',
};

/** The files a runner would run, as its `--list` prints them (it installs nothing then). */
function listed(runner) {
	const env = { ...process.env };
	delete env.NODE_TEST_CONTEXT; // the suites' runners refuse to start under node --test
	const out = execFileSync(process.execPath, [runner, '--list'], { cwd: PACKAGE_DIR, env });
	return out.toString().split('\n').filter(Boolean);
}

test('npm scripts start the runners whose lists are checked here', () => {
	const { scripts } = JSON.parse(fs.readFileSync(`${PACKAGE_DIR}/package.json`, 'utf8'));
	for (const [script, runner] of Object.entries(RUNNERS)) {
		assert.match(scripts[script], new RegExp(`node ${runner}( |$)`), `npm run ${script}`);
	}
});

test('every *.test.mjs below test/ and e2e/ runs in exactly one of npm test, test:e2e and test:queue', () => {
	const runs = Object.fromEntries(Object.values(RUNNERS).map((runner) => [runner, listed(runner)]));
	const all = allTestFiles();
	assert.ok(all.length > 20, `found only ${all.length} test files`);
	const where = (file) => Object.keys(runs).filter((runner) => runs[runner].includes(file));
	const nowhere = all.filter((file) => where(file).length === 0);
	assert.deepEqual(nowhere, [], 'test files no script runs');
	const twice = all.filter((file) => where(file).length > 1);
	assert.deepEqual(twice, [], 'test files two scripts run');
	for (const file of Object.values(runs).flat())
		assert.ok(all.includes(file), `${file} is listed but missing`);
	// The unit run found this very file by its place.
	assert.ok(runs['test/run.mjs'].includes('test/package/testFiles.test.mjs'));
});
