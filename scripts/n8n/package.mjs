// Builds and packs this package, and installs the tarball into an n8n user folder the way
// n8n 2.x installs a community package (community-packages.service.js, downloadPackage):
// unpack into .n8n/nodes/node_modules/<name>, drop dev/peer/optional dependencies, run npm
// install there, and record it in .n8n/nodes/package.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './targets.mjs';

const quiet = { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' };

/** `npm run build`, then `npm pack` into destDir; returns the tarball's path. */
export function buildAndPack(destDir) {
	execFileSync('npm', ['run', 'build', '--silent'], quiet);
	fs.mkdirSync(destDir, { recursive: true });
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', destDir], quiet),
	);
	return path.join(destDir, packed.filename);
}

/** Installs the tarball into `${userFolder}/.n8n/nodes`; returns the installed package.json. */
export function installIntoUserFolder(tarball, userFolder) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const manifest = JSON.parse(
		execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
	);
	const packageDir = path.join(nodesDir, 'node_modules', manifest.name);
	fs.mkdirSync(packageDir, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);

	const { devDependencies, peerDependencies, optionalDependencies, ...installed } = manifest;
	fs.writeFileSync(path.join(packageDir, 'package.json'), JSON.stringify(installed, null, 2));
	// The same flags n8n passes; with no runtime dependencies this must add nothing.
	execFileSync(
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
			'--loglevel=error',
		],
		{ cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'] },
	);
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify(
			{
				name: 'installed-nodes',
				private: true,
				dependencies: { [manifest.name]: manifest.version },
			},
			null,
			2,
		),
	);
	return installed;
}
