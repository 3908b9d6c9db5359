// Installing Debian packages for the test harness (Redis, PostgreSQL, Dovecot), as root, with
// apt-get, while keeping each package's own service from starting: the harness runs throw-away
// instances of its own, never the machine's system services.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

// Debian's way to keep a package's postinst from starting its service (Docker images ship it).
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

function run(tag, cmd, args) {
	console.log(`[${tag}] $ ${cmd} ${args.join(' ')}`);
	const res = spawnSync(cmd, args, {
		stdio: 'inherit',
		env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
	});
	if (res.status !== 0) {
		throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${res.status ?? res.signal}`);
	}
}

/** Whether apt's package lists name an installable version of every one of `packages`. */
function allKnown(packages) {
	const res = spawnSync('apt-cache', ['policy', ...packages], { encoding: 'utf8' });
	const candidates = new Map(
		[...(res.stdout ?? '').matchAll(/^(\S+):\n(?:\s.*\n)*?\s+Candidate: (\S+)/gm)].map((m) => [
			m[1],
			m[2],
		]),
	);
	return packages.every((name) => candidates.has(name) && candidates.get(name) !== '(none)');
}

/**
 * `apt-get install -y --no-install-recommends ...packages` as root, no service started.
 * update: 'always' runs `apt-get update` first; 'if-needed' only when the package lists do not
 * know a package, or when the install fails (stale lists name files the mirror no longer has).
 * @param {string[]} packages
 * @param {{ tag: string, update?: 'always' | 'if-needed' }} opts tag: the log lines' prefix.
 */
export function aptInstall(packages, { tag, update = 'if-needed' }) {
	if (process.getuid?.() !== 0) {
		throw new Error(
			`not root; as root: apt-get update && apt-get install -y ${packages.join(' ')}`,
		);
	}
	const install = () =>
		run(tag, 'apt-get', ['install', '-y', '--no-install-recommends', ...packages]);
	const ownPolicy = !fs.existsSync(POLICY_RC_D);
	if (ownPolicy) {
		fs.writeFileSync(
			POLICY_RC_D,
			'#!/bin/sh\n# test harness: no service starts during its install\nexit 101\n',
			{ mode: 0o755 },
		);
	}
	try {
		let updated = false;
		if (update === 'always' || !allKnown(packages)) {
			run(tag, 'apt-get', ['update']);
			updated = true;
		}
		try {
			install();
		} catch (error) {
			if (updated) throw error;
			run(tag, 'apt-get', ['update']);
			install();
		}
	} finally {
		if (ownPolicy) fs.rmSync(POLICY_RC_D, { force: true });
	}
}
