// Reading a mailbox over IMAP with imapflow (the client of n8n 2.x's Email Trigger), as a test
// checks what a workflow's mail did: every message with its flags, the mailbox opened read-only
// (EXAMINE) and the bodies fetched with BODY.PEEK, so looking marks nothing \Seen.
import { ImapFlow } from 'imapflow';
import { readMessage } from './message.mjs';

// The name this reader gives itself with IMAP ID (RFC 2971) before it logs in, so Dovecot's log
// tells its sessions from a real client's (mailServer.mjs's waitForImapLogin).
export const READER_NAME = 'kaleyra-mail-reader';

/**
 * @param {{ host?: string, port: number, user: string, password: string, mailbox?: string,
 *   timeoutMs?: number }} opts
 * @returns {Promise<Array<{ uid: number, flags: string[], raw: Buffer,
 *   message: Awaited<ReturnType<typeof readMessage>> }>>} every message, oldest (lowest UID) first.
 */
export async function readMailbox({
	host = '127.0.0.1',
	port,
	user,
	password,
	mailbox = 'INBOX',
	timeoutMs = 10_000,
}) {
	const client = new ImapFlow({
		host,
		port,
		secure: false,
		auth: { user, pass: password },
		clientInfo: { name: READER_NAME },
		logger: false,
		disableAutoIdle: true,
		connectionTimeout: timeoutMs,
		greetingTimeout: timeoutMs,
		socketTimeout: timeoutMs,
	});
	// A broken connection also fails the command that meets it; unheard, the event would crash.
	client.on('error', () => {});
	await client.connect();
	const fetched = [];
	try {
		const { exists } = await client.mailboxOpen(mailbox, { readOnly: true });
		if (exists > 0) {
			for await (const { uid, flags, source } of client.fetch('1:*', {
				uid: true,
				flags: true,
				source: true,
			})) {
				fetched.push({ uid, flags: [...flags], raw: source });
			}
		}
	} finally {
		await client.logout().catch(() => client.close());
	}
	const messages = await Promise.all(
		fetched.map(async (entry) => ({ ...entry, message: await readMessage(entry.raw) })),
	);
	return messages.sort((a, b) => a.uid - b.uid);
}
