// `npm run sandbox -- --n8n <path>`: an n8n the user already has is found from its folder or its
// command, taken only on a release line the package is tested on and a Node it runs on.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { reusedTarget } from '../../scripts/n8n/reuse.mjs';

/** A folder laid out as `npm install n8n@version` leaves it: node_modules/n8n with bin/n8n. */
function installedN8n(version, engines = '>=22.16') {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-reuse-'));
	const dir = path.join(root, 'node_modules', 'n8n');
	fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
	fs.writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify({ name: 'n8n', version, engines: { node: engines } }),
	);
	fs.writeFileSync(path.join(dir, 'bin', 'n8n'), '#!/usr/bin/env node\n');
	// A global install's command is a link to the package's bin/n8n.
	fs.mkdirSync(path.join(root, 'bin'));
	fs.symlinkSync(path.join(dir, 'bin', 'n8n'), path.join(root, 'bin', 'n8n'));
	return { root, dir };
}

test('--n8n finds the package from its folder, the folder above node_modules, or its command', (t) => {
	const { root, dir } = installedN8n('2.41.3');
	t.after(() => fs.rmSync(root, { recursive: true, force: true }));
	for (const given of [dir, root, path.join(root, 'bin', 'n8n')]) {
		const target = reusedTarget(given, '24.1.0');
		assert.equal(target.n8n, '2.41.3');
		assert.equal(target.dir, fs.realpathSync(dir));
		assert.equal(target.n8nBin, path.join(fs.realpathSync(dir), 'bin', 'n8n'));
		// Run with 2.x's settings (the modules it must not load), by the sandbox's own Node.
		assert.equal(target.name, 'v2');
		assert.equal(target.nodeBin, process.execPath);
	}
	assert.equal(reusedTarget(installedN8n('1.123.5', '>=20.15').dir, '20.20.0').name, 'v1');
});

test('--n8n refuses a release the package is not tested on, a Node too old for it, and a path without n8n', (t) => {
	const made = [];
	t.after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
	const n8nAt = (version, engines) => {
		const { root, dir } = installedN8n(version, engines);
		made.push(root);
		return dir;
	};
	for (const version of ['1.100.0', '2.30.2', '3.0.0'])
		assert.throws(() => reusedTarget(n8nAt(version), '24.1.0'), /the sandbox runs on n8n 2\.41/);
	assert.throws(
		() => reusedTarget(n8nAt('2.41.1', '>=22.16 <= 24.x'), '20.20.2'),
		/needs Node >=22\.16 <= 24\.x, and this is Node 20\.20\.2/,
	);
	assert.throws(() => reusedTarget(os.tmpdir(), '24.1.0'), /no n8n there/);
	assert.throws(
		() => reusedTarget(path.join(os.tmpdir(), 'no-such-n8n'), '24.1.0'),
		/no n8n there/,
	);
});
