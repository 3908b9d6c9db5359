// Dovecot (IMAP and LMTP) from Debian's packages: where it is, and installing it (as root, with
// apt-get) when it is missing. The mail tooling runs throw-away instances of its own
// (dovecot.mjs), never the machine's system service, which is kept from starting.
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { aptInstall } from '../../../scripts/debian/aptInstall.mjs';

export const DOVECOT = '/usr/sbin/dovecot';
// The programs dovecot's master starts for IMAP and LMTP (dovecot-imapd, dovecot-lmtpd).
const PROGRAMS = ['imap', 'imap-login', 'lmtp'].map((name) => `/usr/lib/dovecot/${name}`);
const PACKAGES = ['dovecot-imapd', 'dovecot-lmtpd'];
const SYSTEM_PID_FILE = '/run/dovecot/master.pid';

const missing = () => [DOVECOT, ...PROGRAMS].filter((file) => !fs.existsSync(file));

/** The pid of the machine's own dovecot (the one Debian's service starts), if it runs. */
function systemDovecotPid() {
	try {
		const pid = Number(fs.readFileSync(SYSTEM_PID_FILE, 'utf8').trim());
		return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dovecot' ? pid : null;
	} catch {
		return null;
	}
}

/**
 * Returns where dovecot is and its version, installing Debian's dovecot-imapd and dovecot-lmtpd
 * first when it or its IMAP or LMTP programs are missing (needs root).
 * @returns {{ dovecot: string, version: string }}
 */
export function ensureDovecot() {
	if (missing().length > 0) {
		if (process.getuid?.() !== 0) {
			throw new Error(
				`missing ${missing().join(', ')}; as root: apt-get install -y ${PACKAGES.join(' ')}`,
			);
		}
		const runningBefore = systemDovecotPid();
		aptInstall(PACKAGES, { tag: 'dovecot' });
		// policy-rc.d keeps the service from starting; should a host's own policy allow it, the
		// dovecot the install started is stopped again (one that ran before is not ours to stop).
		const started = systemDovecotPid();
		if (started && started !== runningBefore) {
			console.log(`[dovecot] stopping the system dovecot the install started (pid ${started})`);
			process.kill(started, 'SIGTERM');
		}
		if (missing().length > 0) {
			throw new Error(`still missing after apt-get install: ${missing().join(', ')}`);
		}
	}
	const version = spawnSync(DOVECOT, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
	return { dovecot: DOVECOT, version };
}

// `node e2e/mail/tools/dovecotInstall.mjs`: install what is missing, say where it is.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	try {
		const { dovecot, version } = ensureDovecot();
		console.log(`[dovecot] ${dovecot} ${version}`);
	} catch (error) {
		console.error(`[dovecot] ${error.message}`);
		process.exit(1);
	}
}
