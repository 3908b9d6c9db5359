// Sending one message over SMTP or LMTP (RFC 5321, RFC 2033): how the tests hand mail to the
// SMTP endpoint, and how that endpoint and deliver() hand it to dovecot, as an MTA would.
import { connect } from './socketReader.mjs';

/** One server reply, all its lines: `{ code, text }`, text being the lines joined by newlines. */
export async function readReply(reader) {
	const lines = [];
	for (;;) {
		const line = (await reader.readLine()).toString('utf8');
		const match = /^(\d{3})([ -]?)(.*)$/.exec(line);
		if (!match) throw new Error(`not an SMTP reply: ${JSON.stringify(line)}`);
		lines.push(line);
		if (match[2] !== '-') return { code: Number(match[1]), text: lines.join('\n') };
	}
}

/** The message as it goes after DATA: CRLF line breaks, dot-stuffed, ended by CRLF.CRLF. */
export function dotStuff(data) {
	const text = Buffer.isBuffer(data)
		? data.toString('latin1')
		: Buffer.from(data).toString('latin1');
	const lines = text.replace(/\r?\n/g, '\r\n').replace(/\r\n$/, '').split('\r\n');
	const stuffed = lines.map((line) => (line.startsWith('.') ? `.${line}` : line)).join('\r\n');
	return Buffer.from(`${stuffed}\r\n.\r\n`, 'latin1');
}

export class SmtpError extends Error {
	constructor(command, reply) {
		super(`${command} → ${reply.text}`);
		this.code = reply.code;
		this.reply = reply.text;
	}
}

/**
 * @param {{ host?: string, port: number, lmtp?: boolean,
 *   auth?: { user: string, password: string, method?: 'PLAIN' | 'LOGIN' },
 *   from: string, to: string[], data: string | Buffer, helo?: string, timeoutMs?: number }} opts
 *   from, to: bare addresses (no angle brackets); data: the whole message.
 * @returns {Promise<{ replies: string[] }>} the server's replies to the message (for LMTP, one
 *   per recipient).
 */
export async function sendMessage({
	host = '127.0.0.1',
	port,
	lmtp = false,
	auth,
	from,
	to,
	data,
	helo = 'localhost',
	timeoutMs = 10_000,
}) {
	if (!to?.length) throw new Error('sendMessage: no recipients');
	const { socket, reader } = await connect({ host, port, timeoutMs });
	// Sends one command (or none, for the greeting) and checks its reply is 2xx or 3xx.
	const step = async (command, shown = command) => {
		if (command !== null) socket.write(`${command}\r\n`);
		const reply = await readReply(reader);
		if (reply.code >= 400) throw new SmtpError(shown ?? 'greeting', reply);
		return reply;
	};
	try {
		await step(null);
		const hello = await step(`${lmtp ? 'LHLO' : 'EHLO'} ${helo}`);
		if (auth) {
			const base64 = (text) => Buffer.from(text, 'utf8').toString('base64');
			if ((auth.method ?? 'PLAIN').toUpperCase() === 'LOGIN') {
				await step('AUTH LOGIN');
				await step(base64(auth.user), 'AUTH LOGIN (user name)');
				await step(base64(auth.password), 'AUTH LOGIN (password)');
			} else {
				await step(`AUTH PLAIN ${base64(`\0${auth.user}\0${auth.password}`)}`, 'AUTH PLAIN');
			}
		}
		const body = dotStuff(data);
		const eightBit = body.some((byte) => byte > 0x7f) && /\b8BITMIME\b/i.test(hello.text);
		await step(`MAIL FROM:<${from}>${eightBit ? ' BODY=8BITMIME' : ''}`);
		for (const recipient of to) await step(`RCPT TO:<${recipient}>`);
		await step('DATA');
		socket.write(body);
		const replies = [];
		// LMTP answers once for each recipient, SMTP once for them all.
		for (const recipient of lmtp ? to : [to.join(', ')]) {
			const reply = await readReply(reader);
			if (reply.code >= 400) throw new SmtpError(`DATA (for ${recipient})`, reply);
			replies.push(reply.text);
		}
		socket.write('QUIT\r\n');
		await readReply(reader).catch(() => {});
		return { replies };
	} finally {
		socket.destroy();
	}
}
