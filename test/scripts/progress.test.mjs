// A long install step shows it is alive: the elapsed time and how much each watched folder grew.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { formatElapsed, runWithProgress } from '../../scripts/n8n/progress.mjs';

test('elapsed time reads as a person says it', () => {
	assert.equal(formatElapsed(4_400), '4s');
	assert.equal(formatElapsed(90_000), '1m30s');
	assert.equal(formatElapsed(605_000), '10m05s');
});

test('runWithProgress: a line at the start, then lines with the time and the MB a folder grew', async (t) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-progress-'));
	t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
	const lines = [];
	// A child that writes 3 MB into the folder, then takes its time, as npm does.
	const script = `require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'blob'))}, Buffer.alloc(3 * 1024 * 1024, 1)); setTimeout(() => process.exit(3), 1500);`;
	const code = await runWithProgress(process.execPath, ['-e', script], {
		tag: 'n8n-install',
		label: 'installing n8n 2.41.1',
		cwd: dir,
		env: process.env,
		sizes: [{ name: 'unpacked', dir }],
		everyMs: 400,
		print: (line) => lines.push(line),
	});
	assert.equal(code, 3);
	assert.equal(lines[0], '[n8n-install] installing n8n 2.41.1…');
	assert.ok(lines.length >= 2, lines.join('\n'));
	assert.match(lines.at(-1), /^\[n8n-install\] installing n8n 2\.41\.1: \ds, 3 MB unpacked…$/);
});
