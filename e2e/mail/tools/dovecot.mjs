// A throw-away Dovecot: IMAP and LMTP on 127.0.0.1 and free ports, plain text (no TLS), any
// user name with one password, a Maildir per user. Everything it writes (config, sockets,
// state, log, mail) is inside the caller's folder; nothing of the machine's /etc/dovecot is read.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts, isListening, sleep } from '../../../scripts/n8n/ports.mjs';
import { spawnLogged } from '../../../scripts/n8n/spawnLogged.mjs';
import { DOVECOT, ensureDovecot } from './dovecotInstall.mjs';

export { ensureDovecot };

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
// Unix sockets live in base_dir, and a socket's path must fit in 108 bytes.
const MAX_BASE_DIR = 70;
// Mail is stored as this user when running as root: dovecot refuses mail access as root, and
// Debian's `mail` account (uid 8) is there on every system.
const MAIL_USER = 'mail';

const idOf = (user, flag) =>
	Number(spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim() || NaN);

/** The last lines of a file, or '' when it is not there. */
function tail(file, lines = 40) {
	try {
		return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

function config({ home, mailRoot, imapPort, lmtpPort, password, uid, gid, users }) {
	return `# Written by e2e/mail/tools/dovecot.mjs for one throw-away instance (dovecot 2.3).
base_dir = ${home}/run
state_dir = ${home}/state
instance_name = kaleyra-mail-${imapPort}
log_path = ${home}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
${users}

# Plain IMAP for tests: no TLS, and passwords in clear text allowed (2.4 calls it
# auth_allow_cleartext).
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# onboarding and Onboarding@example.test are one mailbox.
auth_username_format = %Ln
passdb {
  driver = static
  args = password=${password}
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${mailRoot}/%n allow_all_users=yes
}
# A wrong password is refused at once, not after the usual 2 s.
auth_failure_delay = 0 secs
first_valid_uid = ${uid}
first_valid_gid = ${gid}

mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
}
# Nothing here must survive a power cut.
mail_fsync = never
# A client in IDLE (n8n's Email Trigger) hears of new mail within a second.
mailbox_idle_check_interval = 1 secs
# Tests, the sandbox page and n8n all log in from 127.0.0.1, often as the same user.
mail_max_userip_connections = 100
# Clients that say who they are (IMAP ID): logged, so a test can tell n8n's logins from its own.
imap_id_log = *

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
`;
}

/**
 * @param {{ dir: string, password?: string, dovecot?: string, log?: (chunk: string) => void }} opts
 *   dir: a folder of the caller's; dovecot's own files go in `${dir}/dovecot`, mail in
 *   `${dir}/mail/<user>/Maildir`. password: the one every user name logs in with (made up
 *   when not given).
 * @returns {Promise<{ host: string, imapPort: number, lmtpPort: number, password: string,
 *   mailRoot: string, logFile: string, pid: number, log(): string, stop(): Promise<void> }>}
 */
export async function startDovecot({
	dir,
	password = randomBytes(12).toString('base64url'),
	dovecot = DOVECOT,
	log = () => {},
}) {
	// The password goes into passdb's args: no spaces, and no % (dovecot would expand it).
	if (!/^[\x21-\x24\x26-\x7e]+$/.test(password ?? '')) {
		throw new Error('startDovecot: the password must be printable ASCII without spaces or %');
	}
	const home = path.join(path.resolve(dir), 'dovecot');
	const mailRoot = path.join(path.resolve(dir), 'mail');
	const logFile = path.join(home, 'dovecot.log');
	const configFile = path.join(home, 'dovecot.conf');
	if (`${home}/run`.length > MAX_BASE_DIR) {
		throw new Error(`startDovecot: ${dir} is too long a path for dovecot's unix sockets`);
	}
	fs.mkdirSync(path.join(home, 'state'), { recursive: true });
	fs.mkdirSync(mailRoot, { recursive: true });

	let uid;
	let gid;
	let users;
	if (process.getuid() === 0) {
		uid = idOf(MAIL_USER, '-u');
		gid = idOf(MAIL_USER, '-g');
		if (Number.isNaN(uid)) throw new Error(`startDovecot: there is no ${MAIL_USER} user`);
		// Debian's dovecot and dovenull accounts run its internal and login processes, as usual.
		users = '';
		// The mail user must reach its folder through the caller's (private) one.
		fs.chmodSync(dir, 0o711);
		fs.chmodSync(home, 0o711);
		fs.chownSync(mailRoot, uid, gid);
		const reachable = spawnSync('runuser', ['-u', MAIL_USER, '--', 'test', '-w', mailRoot]);
		if (reachable.status !== 0) {
			throw new Error(
				`startDovecot: the ${MAIL_USER} user cannot write to ${mailRoot} (a folder above it is private)`,
			);
		}
	} else {
		// Not root: every process runs as this user, and login processes cannot chroot.
		({ uid, gid } = os.userInfo());
		const name = os.userInfo().username;
		const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
		users = [
			`default_internal_user = ${name}`,
			`default_internal_group = ${group}`,
			`default_login_user = ${name}`,
			'service imap-login {\n  chroot =\n}',
		].join('\n');
	}
	const [imapPort, lmtpPort] = await freePorts(2);
	fs.writeFileSync(
		configFile,
		config({ home, mailRoot, imapPort, lmtpPort, password, uid, gid, users }),
		{ mode: 0o600 },
	);

	// Its own process group, so what is left of it can be ended along with it.
	const { child, output, exited } = spawnLogged(dovecot, ['-F', '-c', configFile], {
		detached: true,
		log,
	});
	const problem = () =>
		[output().trim(), tail(logFile)].filter(Boolean).join('\n') || '(no log output)';
	const running = () => child.exitCode === null && child.signalCode === null;
	const killGroup = (signal) => {
		try {
			process.kill(-child.pid, signal);
		} catch {
			// Nothing left in the group.
		}
	};
	// Whether a live process (zombies aside: nobody may reap them here) is left in its group.
	const groupAlive = () =>
		fs.readdirSync('/proc').some((pid) => {
			try {
				// /proc/PID/stat: "pid (comm) state ppid pgrp …"; comm may hold spaces.
				const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
				const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
				return Number(pgrp) === child.pid && state !== 'Z';
			} catch {
				return false; // not a process, or gone since the listing
			}
		});
	// A caller that dies without stop() (a crash, process.exit) must not leave dovecot running:
	// it is in a process group of its own, so nothing else would end it.
	const onExit = () => killGroup('SIGKILL');
	process.once('exit', onExit);
	const stop = async () => {
		process.off('exit', onExit);
		if (running()) {
			// SIGTERM: dovecot's master ends its children and exits (it waits about a second for
			// its log process).
			child.kill('SIGTERM');
			const timer = setTimeout(() => killGroup('SIGKILL'), STOP_TIMEOUT_MS);
			await exited;
			clearTimeout(timer);
		}
		killGroup('SIGKILL');
		// A killed process lingers a moment: stopped means the group is gone.
		for (let waited = 0; waited < STOP_TIMEOUT_MS && groupAlive(); waited += 20) await sleep(20);
	};

	const deadline = Date.now() + READY_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (!running()) {
			await stop();
			throw new Error(`dovecot exited with ${child.exitCode ?? child.signalCode}\n${problem()}`);
		}
		if ((await isListening(imapPort, 200)) && (await isListening(lmtpPort, 200))) {
			return {
				host: '127.0.0.1',
				imapPort,
				lmtpPort,
				password,
				mailRoot,
				logFile,
				pid: child.pid,
				log: () => tail(logFile, Infinity),
				stop,
			};
		}
		await sleep(20);
	}
	await stop();
	throw new Error(
		`dovecot did not listen on ${imapPort} and ${lmtpPort} within ${READY_TIMEOUT_MS} ms\n${problem()}`,
	);
}
