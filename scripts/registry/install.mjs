#!/usr/bin/env node
// Installs the pinned Verdaccio (a local npm registry, for the Community Nodes install e2e)
// beside the pinned n8n installs: .e2e/verdaccio-<version>/ or under $N8N_E2E_DIR. Idempotent:
// a finished install leaves a marker, and a matching marker means nothing to do.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { verdaccioInstall } from './paths.mjs';

const install = verdaccioInstall();
const wanted = JSON.stringify({ verdaccio: install.version });
const marker = path.join(install.dir, '.installed.json');
const current = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : null;

if (current === wanted && fs.existsSync(install.bin)) {
	console.log(
		`[verdaccio-install] Verdaccio ${install.version} already installed in ${install.dir}`,
	);
	process.exit(0);
}

const started = Date.now();
// Start clean: a half-finished earlier install must not be mistaken for a good one.
fs.rmSync(install.dir, { recursive: true, force: true });
fs.mkdirSync(install.dir, { recursive: true });
fs.writeFileSync(
	path.join(install.dir, 'package.json'),
	JSON.stringify(
		{ name: 'verdaccio-e2e-install', private: true, dependencies: { verdaccio: install.version } },
		null,
		2,
	),
);
// Verdaccio is plain JavaScript: no install script is needed.
const args = ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
console.log(`[verdaccio-install] $ npm ${args.join(' ')}`);
const res = spawnSync('npm', args, { cwd: install.dir, stdio: 'inherit' });
if (res.status !== 0) throw new Error(`npm install verdaccio failed with exit code ${res.status}`);
fs.writeFileSync(marker, wanted);
console.log(
	`[verdaccio-install] Verdaccio ${install.version} installed in ${Math.round((Date.now() - started) / 1000)} s`,
);
