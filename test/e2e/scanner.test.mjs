// n8n's own community-package scanner passes on both legs it lints before n8n verifies a package:
// the checkout (package.json, nodes/, credentials/) and the unpacked tarball. Its CLI fetches the
// published package and its provenance, so an unpublished package is scanned through its library,
// as the CLI itself calls it (docs/verification.md).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { buildAndPack } from '../../scripts/n8n/package.mjs';
import { projectRoot } from '../../scripts/n8n/targets.mjs';

const SCANNER = '@n8n/scan-community-package';
const SCANNER_VERSION = '0.32.0';
// In the clone's own .e2e (git-ignored), not in a shared N8N_E2E_DIR: the scanner is this test's.
const scannerDir = path.join(projectRoot, '.e2e', `scan-community-package-${SCANNER_VERSION}`);

function installedScanner() {
	const entry = path.join(scannerDir, 'node_modules', SCANNER, 'scanner', 'scanner.mjs');
	if (!fs.existsSync(entry)) {
		fs.mkdirSync(scannerDir, { recursive: true });
		fs.writeFileSync(path.join(scannerDir, 'package.json'), '{"private":true}\n');
		execFileSync(
			'npm',
			['install', '--ignore-scripts', '--no-audit', '--no-fund', `${SCANNER}@${SCANNER_VERSION}`],
			{ cwd: scannerDir, stdio: ['ignore', 'ignore', 'inherit'] },
		);
	}
	return entry;
}

describe("n8n's community-package scanner", () => {
	let scanner;
	let unpacked;
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-scan-'));

	before(async () => {
		scanner = await import(pathToFileURL(installedScanner()).href);
		const tarball = process.env.KALEYRA_E2E_TARBALL || buildAndPack(workDir);
		execFileSync('tar', ['-xzf', tarball, '-C', workDir]);
		unpacked = path.join(workDir, 'package');
	});
	after(() => fs.rmSync(workDir, { recursive: true, force: true }));

	it('passes on the checkout: package.json, nodes/ and credentials/', async () => {
		const result = await scanner.analyzePackage(projectRoot, scanner.SOURCE_FILE_PATTERNS);
		assert.deepEqual(result, { passed: true });
	});

	it('passes on the tarball npm would publish', async () => {
		const result = await scanner.analyzePackage(unpacked, ['**/*.js', 'package.json']);
		assert.deepEqual(result, { passed: true });
	});
});
