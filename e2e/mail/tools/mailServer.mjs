// A whole mail system on 127.0.0.1 for tests and the sandbox: Dovecot for IMAP (what n8n's
// Email Trigger reads) and LMTP, and an SMTP endpoint (what n8n's Send Email sends through) that
// hands each message to Dovecot before it answers. Every user name is a mailbox, all with one
// password, for IMAP and SMTP alike.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDovecot, startDovecot } from './dovecot.mjs';
import { READER_NAME, readMailbox } from './mailbox.mjs';
import { composeMessage, deliverOverLmtp, readMessage } from './message.mjs';
import { startSmtpEndpoint } from './smtpEndpoint.mjs';

export { ensureDovecot };

const HOST = '127.0.0.1';
/** @typedef {Awaited<ReturnType<typeof readMessage>>} Message */

/**
 * The IMAP logins to a mailbox that dovecot's log shows, except this tooling's own (its reader
 * names itself with IMAP ID first): n8n's Email Trigger, a person's mail client.
 * @returns {Array<{ session: string, client: string | null, line: string }>} oldest first;
 *   client: the name the client gave with IMAP ID, if it did (imapflow does, node-imap not).
 */
function foreignLogins(log, localPart) {
	const user = localPart.split('@')[0].toLowerCase();
	const named = new Map();
	const logins = [];
	for (const line of log.split('\n')) {
		const session = /session=<([^>]+)>/.exec(line)?.[1];
		if (!session || !line.includes(' imap-login: ')) continue;
		const id = /ID sent: name=(.*?)(?:, \w[\w-]*=.*)?: user=</.exec(line);
		if (id) named.set(session, id[1]);
		else if (line.includes(`Login: user=<${user}>,`)) logins.push({ session, line });
	}
	return logins
		.filter(({ session }) => named.get(session) !== READER_NAME)
		.map((login) => ({ ...login, client: named.get(login.session) ?? null }));
}

/** What a mailbox holds, one line a message, for an error that says what did arrive. */
function describe(entries) {
	if (entries.length === 0) return '(empty)';
	return entries
		.map(
			({ uid, flags, message }) =>
				`  uid ${uid} [${flags.join(' ')}] from ${message.from} subject ${JSON.stringify(message.subject)}: ${JSON.stringify(message.text.slice(0, 200))}`,
		)
		.join('\n');
}

/**
 * @param {{ dir?: string, domain?: string, password?: string,
 *   log?: (chunk: string) => void }} [opts]
 *   dir: where dovecot's files and the mail go; by default a fresh temporary folder that stop()
 *   removes. password: the one password of every mailbox (made up when not given).
 */
export async function startMailServer({
	dir,
	domain = 'example.test',
	password = randomBytes(12).toString('base64url'),
	log,
} = {}) {
	ensureDovecot();
	const ownDir = !dir;
	const root = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-mail-'));
	const address = (localPart) => (localPart.includes('@') ? localPart : `${localPart}@${domain}`);

	let dovecot;
	let smtp;
	// What the SMTP endpoint took, oldest first, each parsed (see sent()).
	const sent = [];
	// Hands a message to dovecot, as an MTA does: it is in the mailboxes once this resolves.
	const lmtpDeliver = (envelope, raw) =>
		deliverOverLmtp({ host: HOST, port: dovecot.lmtpPort, envelope, raw });
	try {
		dovecot = await startDovecot({ dir: root, password, log });
		smtp = await startSmtpEndpoint({
			host: HOST,
			hostname: `mail.${domain}`,
			// The same scheme as IMAP: any user name, the one password.
			auth: (_user, given) => given === password,
			async deliver({ from, to, data, user }) {
				await lmtpDeliver({ from, to }, data);
				const raw = data.toString('utf8');
				sent.push({ from, to, raw, user, time: new Date(), message: await readMessage(data) });
			},
		});
	} catch (error) {
		await dovecot?.stop();
		if (ownDir) fs.rmSync(root, { recursive: true, force: true, maxRetries: 5 });
		throw error;
	}

	const inbox = (localPart, mailbox = 'INBOX') =>
		readMailbox({ host: HOST, port: dovecot.imapPort, user: localPart, password, mailbox });

	let stopping = null;
	return {
		domain,
		host: HOST,
		imapPort: dovecot.imapPort,
		smtpPort: smtp.port,
		lmtpPort: dovecot.lmtpPort,
		password,
		dir: root,
		/** `localPart@domain`; a full address is returned as it is. */
		address,
		/** For n8n's SMTP credential: any user name works, this one reads well in logs. */
		smtpAuth: { user: address('n8n'), password },
		/** For n8n's IMAP credential of a mailbox. */
		imapAuth: (localPart) => ({ user: address(localPart), password }),

		/**
		 * Composes a mail (plain text, or HTML only with `html`) and hands it straight to dovecot
		 * over LMTP, as an MTA would: mail from a person, arriving in `to`'s mailbox. Local parts
		 * get `@domain`.
		 * @param {Parameters<typeof composeMessage>[0]} mail
		 * @returns {Promise<{ messageId: string, raw: Buffer }>}
		 */
		async deliver({ from, to, ...rest }) {
			const recipients = [to].flat().map(address);
			// Typed into the page's form: an address with a line break is refused, not guessed at.
			if (/[\r\n]/.test([from, ...recipients].join('')))
				throw new Error('an address must not hold a line break');
			const sender = from.includes('<') ? from : address(from);
			const { raw, messageId, envelope } = await composeMessage({
				from: sender,
				to: recipients,
				...rest,
			});
			await lmtpDeliver(envelope, raw);
			return { messageId, raw };
		},

		/**
		 * What the SMTP endpoint accepted, oldest first: envelope, raw text, the user that sent
		 * it, when, and the message parsed.
		 * @returns {Array<{ from: string, to: string[], raw: string, user: string, time: Date,
		 *   message: Message }>}
		 */
		sent: () => sent.slice(),

		/** Every message in a mailbox (`onboarding` or `onboarding@domain`), oldest first. */
		inbox,

		/** The local parts that have a mailbox (had mail delivered, or logged in). */
		mailboxes: () =>
			fs
				.readdirSync(dovecot.mailRoot, { withFileTypes: true })
				.filter((entry) => entry.isDirectory())
				.map((entry) => entry.name)
				.sort(),

		/**
		 * Polls a mailbox until a message matches; throws, listing what is there, on timeout.
		 * The predicate gets (and the call returns) the inbox entry with the parsed message's
		 * fields on it too: `m.subject` and `m.message.subject` are the same, `m.flags` is there;
		 * then, as Array.find gives them, the entry's index (oldest is 0) and all the entries.
		 * @param {(mail: Message & { uid: number, flags: string[], raw: Buffer,
		 *   message: Message }, index: number, all: object[]) => boolean} [predicate] any message
		 *   when not given.
		 * @returns {Promise<Message & { uid: number, flags: string[], raw: Buffer,
		 *   message: Message }>} the first (oldest) match.
		 */
		async waitForMail(
			localPart,
			predicate = () => true,
			{ timeoutMs = 30_000, everyMs = 250 } = {},
		) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const entries = await inbox(localPart);
				const found = entries
					.map((entry) => ({ ...entry.message, ...entry }))
					.find((entry, index, all) => predicate(entry, index, all));
				if (found) return found;
				if (Date.now() > deadline) {
					throw new Error(
						`no matching mail in ${address(localPart)} after ${timeoutMs} ms; it holds:\n${describe(entries)}`,
					);
				}
				await sleep(everyMs);
			}
		},

		/**
		 * The IMAP logins to a mailbox other than this tooling's own (n8n's Email Trigger, a
		 * person's client), from dovecot's log, oldest first.
		 * @returns {Array<{ session: string, client: string | null, line: string }>}
		 */
		imapLogins: (localPart) => foreignLogins(dovecot.log(), localPart),

		/**
		 * Waits until a client other than this tooling has logged in to a mailbox `count` times
		 * in all: e.g. until n8n's Email Trigger watches it (it SELECTs the mailbox right after
		 * logging in), since mail that arrives before that is not news to it.
		 * @returns {Promise<{ session: string, client: string | null, line: string }>} the last.
		 */
		async waitForImapLogin(localPart, { timeoutMs = 30_000, everyMs = 100, count = 1 } = {}) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const logins = foreignLogins(dovecot.log(), localPart);
				if (logins.length >= count) return logins.at(-1);
				if (Date.now() > deadline) {
					throw new Error(
						`${logins.length} of ${count} IMAP logins to ${address(localPart)} after ${timeoutMs} ms; dovecot's log ends:\n${dovecot.log().split('\n').slice(-15).join('\n')}`,
					);
				}
				await sleep(everyMs);
			}
		},

		/** Dovecot's log so far, for a failing test to show. */
		log: () => dovecot.log(),

		async stop() {
			stopping ??= (async () => {
				await smtp.stop();
				await dovecot.stop();
				if (ownDir) fs.rmSync(root, { recursive: true, force: true, maxRetries: 5 });
			})();
			return stopping;
		},
	};
}
