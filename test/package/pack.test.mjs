// What `npm pack` would publish: only what n8n loads, and small.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { PACKAGE_DIR } from '../helpers/engine.mjs';

// The README is packed (npm shows it): about 38% of the unpacked bytes. 40 KiB held until it
// gained the email onboarding walk-through (42 KiB packed); 44 KiB until Get Many's Return All,
// Limit and pages, Recover Existing Number and the delivery classes (47 KiB packed); 48 KiB until
// those met the details path learning, the error catalogue and the dialect check in one package
// (50,500 bytes packed after the README's wording was tightened); 50 KiB until the node checked an
// AI Agent's tool arguments (52,649 bytes) and the Number Trigger, a second node with its README
// section, joined them: 60,624 bytes packed; 60 KiB until the trigger skipped a refused number,
// capped a poll's answers, confirmed drops with a second poll and remembered its path form:
// 62,540 bytes packed, and 64,884 once the email walk-through said how the example holds
// against strangers; 64 KiB until each parameter and each error code got one home and Success
// items said their outcome in words: about 67,500 bytes packed.
const MAX_PACKED_BYTES = 68 * 1024;

function dryRunPack() {
	const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: PACKAGE_DIR,
		encoding: 'utf8',
	});
	return JSON.parse(output)[0];
}

describe('The published package', () => {
	const packed = dryRunPack();
	const files = packed.files.map((file) => file.path).sort();
	const manifest = JSON.parse(readFileSync(`${PACKAGE_DIR}/package.json`, 'utf8'));

	it('holds the built node, credential, icons and codex, with README, LICENSE and package.json', () => {
		for (const entry of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
			assert.ok(files.includes(entry), `${entry} is missing`);
		}
		for (const required of [
			'README.md',
			'LICENSE.md',
			'package.json',
			'dist/icons/kaleyraWhatsApp.svg',
			'dist/icons/kaleyraWhatsApp.dark.svg',
			'dist/nodes/KaleyraWhatsAppNumber/KaleyraWhatsAppNumber.node.json',
			'dist/nodes/KaleyraWhatsAppNumberTrigger/KaleyraWhatsAppNumberTrigger.node.json',
		]) {
			assert.ok(files.includes(required), `${required} is missing`);
		}
	});

	it('holds nothing else: no tests, emulator, sources, maps or build state', () => {
		const unexpected = files.filter(
			(file) =>
				!['README.md', 'LICENSE.md', 'package.json'].includes(file) &&
				!/^dist\/(nodes|credentials)\/.+\.(js|json)$/.test(file) &&
				!/^dist\/icons\/[\w.]+\.svg$/.test(file),
		);
		assert.deepEqual(unexpected, []);
		assert.ok(!files.some((file) => /test|emulator|\.map$|\.ts$|tsbuildinfo/.test(file)));
	});

	it(`stays small: under ${MAX_PACKED_BYTES / 1024} KiB packed`, () => {
		assert.ok(packed.size < MAX_PACKED_BYTES, `packed size ${packed.size} bytes`);
	});

	it('has the fields npm and the community linter expect, and no runtime dependencies', () => {
		for (const field of [
			'name',
			'version',
			'description',
			'author',
			'repository',
			'homepage',
			'license',
		]) {
			assert.ok(manifest[field], `package.json has no ${field}`);
		}
		assert.ok(manifest.keywords.includes('n8n-community-node-package'));
		assert.equal(manifest.dependencies, undefined);
		assert.deepEqual(manifest.peerDependencies, { 'n8n-workflow': '*' });
		assert.equal(manifest.n8n.strict, true);
	});
});
