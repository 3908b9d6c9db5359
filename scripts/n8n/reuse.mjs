// `npm run sandbox -- --n8n <path>`: run the sandbox on an n8n the user already has instead of
// installing the pinned one (about 6 minutes and 3 GB the first time). The path may be the n8n
// package's folder, a folder whose node_modules holds it, or its `n8n` command (a global install's
// link too). Only releases the package is tested on are taken, run by the Node running the sandbox.
import fs from 'node:fs';
import path from 'node:path';
import { targets } from './targets.mjs';

/** The releases a reused n8n may be: the lines the e2e suite runs the package on. */
export const SUPPORTED_N8N = 'n8n 2.41 or a later 2.x, or n8n 1.123.x';

function isN8nPackage(dir) {
	try {
		return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'n8n';
	} catch {
		return false;
	}
}

/** The n8n package folder `given` points at, or null. */
function findPackage(given) {
	let start;
	try {
		start = fs.realpathSync(given);
	} catch {
		return null;
	}
	if (fs.statSync(start).isDirectory()) {
		for (const dir of [start, path.join(start, 'node_modules', 'n8n')])
			if (isN8nPackage(dir)) return dir;
		return null;
	}
	// A command: bin/n8n inside the package, so the package is a folder above it.
	for (let dir = path.dirname(start); dir !== path.dirname(dir); dir = path.dirname(dir))
		if (isN8nPackage(dir)) return dir;
	return null;
}

/** Which pinned target's settings a version runs with, or null when it is not supported. */
function lineOf(version) {
	const [major, minor] = version.split('.').map(Number);
	if (major === 2 && minor >= 41) return 'v2';
	if (major === 1 && minor === 123) return 'v1';
	return null;
}

/** The lowest Node major an n8n's `engines.node` asks for (">=22.16 <= 24.x" gives 22), or 0. */
function lowestNodeMajor(range = '') {
	const match = range.match(/>=?\s*v?(\d+)/);
	return match ? Number(match[1]) : 0;
}

/**
 * A target (the shape of targets.mjs's resolveTarget) for the n8n at `given`; throws an Error
 * that says what to do when it cannot be used.
 */
export function reusedTarget(given, nodeVersion = process.versions.node) {
	const dir = findPackage(given);
	if (!dir)
		throw new Error(
			`--n8n ${given}: no n8n there; give the n8n package's folder or its n8n command (e.g. "$(which n8n)")`,
		);
	const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
	const line = lineOf(manifest.version);
	if (!line)
		throw new Error(
			`--n8n ${given}: n8n ${manifest.version}; the sandbox runs on ${SUPPORTED_N8N} (or drop --n8n to install n8n ${targets.v2.n8n})`,
		);
	const needed = lowestNodeMajor(manifest.engines?.node);
	if (Number(nodeVersion.split('.')[0]) < needed)
		throw new Error(
			`--n8n ${given}: n8n ${manifest.version} needs Node ${manifest.engines.node}, and this is Node ${nodeVersion}: run the sandbox with that Node (node scripts/n8n/sandbox.mjs --n8n …)`,
		);
	return {
		name: line,
		...targets[line],
		n8n: manifest.version,
		dir,
		n8nBin: path.join(dir, 'bin', 'n8n'),
		nodePackageDir: null,
		nodeBin: process.execPath,
		reused: true,
	};
}
