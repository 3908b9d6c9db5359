// package-lock.json is the fixed point of `npm install` on npm 10 and on npm 11: a fresh clone
// stays clean whichever a contributor has. What made them rewrite it is checked here; the whole
// proof (both installs in a fresh clone, then `git status`) is in docs/development.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { projectRoot } from '../run.mjs';

const read = (file) => JSON.parse(readFileSync(`${projectRoot}/${file}`, 'utf8'));

describe('package-lock.json', () => {
	const manifest = read('package.json');
	const lock = read('package-lock.json');
	const entries = Object.entries(lock.packages);

	it("states package.json's name, version and dependencies as they are", () => {
		const root = lock.packages[''];
		assert.equal(lock.name, manifest.name);
		assert.equal(lock.version, manifest.version);
		assert.equal(root.version, manifest.version);
		assert.deepEqual(root.devDependencies, manifest.devDependencies);
		assert.deepEqual(root.peerDependencies, manifest.peerDependencies);
		assert.deepEqual(root.engines, manifest.engines);
		for (const name of Object.keys(manifest.devDependencies))
			assert.ok(lock.packages[`node_modules/${name}`], `${name} is not locked`);
	});

	it('holds no extraneous entry (npm 11 drops them, so it rewrites a lock that has some)', () => {
		const extraneous = entries.filter(([, entry]) => entry.extraneous).map(([key]) => key);
		assert.deepEqual(extraneous, []);
	});

	it('holds no libc field (npm 11 writes one on platform bindings, npm 10 drops it: run npm 10 last)', () => {
		const withLibc = entries.filter(([, entry]) => 'libc' in entry).map(([key]) => key);
		assert.deepEqual(withLibc, []);
	});
});
