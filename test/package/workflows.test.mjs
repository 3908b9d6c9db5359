// The GitHub workflows, read as text (no YAML parser among the dev packages): every action
// pinned by full commit SHA, and publishing split so that only a gated job, which installs
// nothing, can mint the provenance token, and only for a tag on main.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../run.mjs';

const WORKFLOWS = path.join(projectRoot, '.github/workflows');
const read = (name) => fs.readFileSync(path.join(WORKFLOWS, name), 'utf8');

/** `jobs:` split into `{ name: text }` by its two-space-indented keys. */
function jobsOf(text) {
	const body = text.slice(text.indexOf('\njobs:\n') + '\njobs:\n'.length);
	const jobs = {};
	let current;
	for (const line of body.split('\n')) {
		const key = /^ {2}([\w-]+):\s*$/.exec(line);
		if (key) jobs[(current = key[1])] = '';
		else if (current) jobs[current] += `${line}\n`;
	}
	return jobs;
}

test('every action in every workflow is pinned by a full commit SHA, its tag in a comment', () => {
	const names = fs.readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name));
	assert.ok(names.includes('publish.yml') && names.includes('ci.yml'));
	for (const name of names) {
		const uses = read(name)
			.split('\n')
			.filter((line) => /^\s*(-\s+)?uses:/.test(line));
		assert.ok(uses.length > 0, name);
		for (const line of uses) {
			assert.match(
				line,
				/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/,
				`${name}: ${line.trim()}`,
			);
		}
	}
});

test('publish.yml: tests in one job; only the gated publish job gets id-token, for a tag on main', () => {
	const text = read('publish.yml');
	const top = text
		.slice(0, text.indexOf('\njobs:\n'))
		.split('\n')
		.filter((line) => !line.trimStart().startsWith('#'))
		.join('\n');
	assert.doesNotMatch(top, /id-token/, 'id-token granted to every job');
	assert.match(top, /tags: \['v\*\.\*\.\*'\]/);
	const jobs = jobsOf(text);
	const withToken = Object.keys(jobs).filter((name) => /id-token: write/.test(jobs[name]));
	assert.deepEqual(withToken, ['publish']);
	const { publish } = jobs;
	assert.match(publish, /^ {4}environment: npm-publish$/m);
	assert.match(publish, /^ {4}needs: \[on-main, test\]$/m);
	assert.match(publish, /npm publish \S+\.tgz --provenance --access public/);
	assert.match(publish, /NODE_AUTH_TOKEN: \$\{\{ secrets\.NPM_TOKEN \}\}/);
	// It runs no dev package: nothing installed, nothing built, no cache restored.
	assert.doesNotMatch(publish, /npm (ci|install|test|run)|cache:/);
	for (const [name, job] of Object.entries(jobs)) {
		if (name !== 'publish') assert.doesNotMatch(job, /secrets\.|environment:/, name);
	}
	assert.match(jobs.test, /npm test/);
	assert.match(jobs['on-main'], /git merge-base --is-ancestor "\$GITHUB_SHA" origin\/main/);
	assert.match(jobs['on-main'], /fetch-depth: 0/);
	assert.match(jobs.test, /^ {4}needs: on-main$/m);
});
