// What `npm pack` would publish: only what n8n loads, and small.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { PACKAGE_DIR } from '../helpers/engine.mjs';

// What npm publishes is mostly the built code now: the README (packed, npm shows it) was 38% of
// the unpacked bytes and the guard grew with it, step by step, to 64 KiB (64,884 bytes packed),
// until 0.2.0 moved the reference into docs/, which is not packed: 48,009 bytes packed, the
// README 13 KiB of 172 KiB unpacked. 48 KiB leaves room for a few more README lines, not for
// the reference to come back.
const MAX_PACKED_BYTES = 48 * 1024;

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
