// Reading a mailbox over IMAP (RFC 3501), as a test checks what a workflow's mail did: every
// message with its flags, read with EXAMINE and BODY.PEEK so nothing is marked \Seen by looking.
import { connect } from './socketReader.mjs';
import { parseMessage } from './message.mjs';

const LITERAL = /\{(\d+)\+?\}$/;
// The name this reader gives itself with IMAP ID (RFC 2971) before it logs in, so dovecot's log
// tells its sessions from a real client's (mailServer.mjs's waitForImapLogin).
export const READER_NAME = 'kaleyra-mail-reader';

/**
 * One whole response: its first line, and after each line ending in a literal's `{n}` the n
 * bytes of the literal and the line that goes on after it.
 * @returns {Promise<Array<string | Buffer>>} text fragments (latin1, so bytes map 1:1) and
 *   literals (Buffers), alternating, starting and ending with text.
 */
async function readResponse(reader) {
	const fragments = [];
	for (;;) {
		const line = (await reader.readLine()).toString('latin1');
		fragments.push(line);
		const literal = LITERAL.exec(line);
		if (!literal) return fragments;
		fragments.push(await reader.readBytes(Number(literal[1])));
	}
}

/**
 * The data of a response as nested arrays: atoms and quoted strings as strings, NIL as null,
 * literals as Buffers, parenthesized lists as arrays. `BODY[]` and the like stay one atom.
 */
export function parseTokens(fragments) {
	const root = [];
	const stack = [root];
	const push = (token) => stack[stack.length - 1].push(token);
	for (let f = 0; f < fragments.length; f++) {
		const fragment = fragments[f];
		if (Buffer.isBuffer(fragment)) {
			push(fragment);
			continue;
		}
		// A fragment followed by a literal ends with that literal's `{n}`, which is not a token.
		const text = f + 1 < fragments.length ? fragment.replace(LITERAL, '') : fragment;
		let i = 0;
		while (i < text.length) {
			const char = text[i];
			if (char === ' ') i++;
			else if (char === '(') {
				const list = [];
				push(list);
				stack.push(list);
				i++;
			} else if (char === ')') {
				if (stack.length > 1) stack.pop();
				i++;
			} else if (char === '"') {
				let value = '';
				for (i++; i < text.length && text[i] !== '"'; i++) {
					if (text[i] === '\\') i++;
					value += text[i];
				}
				push(Buffer.from(value, 'latin1').toString('utf8'));
				i++;
			} else {
				let atom = '';
				let depth = 0;
				while (i < text.length && (depth > 0 || !/[ ()]/.test(text[i]))) {
					if (text[i] === '[') depth++;
					if (text[i] === ']') depth--;
					atom += text[i++];
				}
				push(atom === 'NIL' ? null : atom);
			}
		}
	}
	return root;
}

const quote = (text) => {
	if (/[\r\n]/.test(text) || !/^[\x00-\x7f]*$/.test(text))
		throw new Error(`cannot send ${JSON.stringify(text)} as an IMAP quoted string`);
	return `"${text.replace(/[\\"]/g, '\\$&')}"`;
};

/**
 * @param {{ host?: string, port: number, user: string, password: string, mailbox?: string,
 *   timeoutMs?: number }} opts
 * @returns {Promise<Array<{ uid: number, flags: string[], raw: Buffer,
 *   message: ReturnType<typeof parseMessage> }>>} every message, oldest (lowest UID) first.
 */
export async function readMailbox({
	host = '127.0.0.1',
	port,
	user,
	password,
	mailbox = 'INBOX',
	timeoutMs = 10_000,
}) {
	const { socket, reader } = await connect({ host, port, timeoutMs });
	let counter = 0;
	// Sends one command; resolves with its untagged responses once it completes with OK.
	const command = async (text, shown = text) => {
		const tag = `a${++counter}`;
		socket.write(`${tag} ${text}\r\n`);
		const untagged = [];
		for (;;) {
			const fragments = await readResponse(reader);
			const first = fragments[0];
			if (first.startsWith(`${tag} `)) {
				if (/^\S+ OK\b/i.test(first)) return untagged;
				throw new Error(`IMAP ${shown} (as ${user}): ${first.slice(tag.length + 1)}`);
			}
			untagged.push(fragments);
		}
	};
	try {
		const greeting = (await readResponse(reader))[0];
		if (!/^\* OK\b/i.test(greeting)) throw new Error(`IMAP greeting: ${greeting}`);
		await command(`ID ("name" ${quote(READER_NAME)})`).catch(() => {});
		await command(`LOGIN ${quote(user)} ${quote(password)}`, 'LOGIN');
		const examined = await command(`EXAMINE ${quote(mailbox)}`);
		const exists = examined
			.map((fragments) => /^\* (\d+) EXISTS/i.exec(fragments[0]))
			.find(Boolean);
		const messages = [];
		if (exists && Number(exists[1]) > 0) {
			for (const fragments of await command('UID FETCH 1:* (UID FLAGS BODY.PEEK[])')) {
				const [star, , kind, items] = parseTokens(fragments);
				if (star !== '*' || String(kind).toUpperCase() !== 'FETCH' || !Array.isArray(items))
					continue;
				const fields = {};
				for (let i = 0; i + 1 < items.length; i += 2)
					fields[String(items[i]).toUpperCase()] = items[i + 1];
				// A flags-only FETCH is news of another session's change, not one of the messages.
				if (fields['BODY[]'] === undefined) continue;
				const raw = Buffer.isBuffer(fields['BODY[]'])
					? fields['BODY[]']
					: Buffer.from(fields['BODY[]'] ?? '', 'utf8');
				messages.push({
					uid: Number(fields.UID),
					flags: Array.isArray(fields.FLAGS) ? fields.FLAGS : [],
					raw,
					message: parseMessage(raw),
				});
			}
		}
		await command('LOGOUT').catch(() => {});
		return messages.sort((a, b) => a.uid - b.uid);
	} finally {
		socket.destroy();
	}
}
