// The packed package as a given release: unpacked into a folder of its own with package.json's
// version rewritten, ready for `npm publish <folder>` (the tree's own version does not matter).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function unpackAs(tarball, version, parentDir) {
	const dir = path.join(parentDir, `package-${version}`);
	fs.mkdirSync(dir, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
	const manifestFile = path.join(dir, 'package.json');
	const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
	fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, version }, null, 2));
	return dir;
}
