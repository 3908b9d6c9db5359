// An SMTP endpoint on 127.0.0.1 (RFC 5321) for n8n's Send Email node (nodemailer) to send
// through: plain text, no STARTTLS, AUTH PLAIN and LOGIN. Each message is handed on by
// `deliver` before DATA is answered 250, so once Send Email returns, the mail is in the mailbox.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { SocketReader } from './socketReader.mjs';

const MAX_LINE = 64 * 1024;
const IDLE_TIMEOUT_MS = 5 * 60 * 1000;

const base64Decode = (text) => Buffer.from(text.trim(), 'base64').toString('utf8');
const base64Encode = (text) => Buffer.from(text, 'utf8').toString('base64');

/** `FROM:<a@b> SIZE=12 BODY=8BITMIME` → `{ address: 'a@b', params: { SIZE: '12', ... } }`. */
function parsePath(argument, keyword) {
	const match = new RegExp(`^${keyword}:\\s*<([^>]*)>\\s*(.*)$`, 'i').exec(argument);
	if (!match) return null;
	const params = {};
	for (const param of match[2].split(/\s+/).filter(Boolean)) {
		const [key, value = ''] = param.split('=');
		params[key.toUpperCase()] = value;
	}
	return { address: match[1], params };
}

/**
 * @param {{ host?: string, port?: number, hostname?: string, maxSize?: number,
 *   auth: { user: string, password: string } | ((user: string, password: string) => boolean),
 *   deliver: (message: { from: string, to: string[], data: Buffer }) => Promise<unknown> }} opts
 *   auth: the one user name and password accepted, or a check of each pair. MAIL before a
 *   successful AUTH is refused (530). deliver: its failure answers DATA with 451 and its reason.
 * @returns {Promise<{ host: string, port: number, transactions(): Array<{ from: string,
 *   to: string[], raw: string, user: string, time: Date }>, stop(): Promise<void> }>}
 */
export async function startSmtpServer({
	host = '127.0.0.1',
	port = 0,
	hostname = 'mail.example.test',
	maxSize = 25 * 1024 * 1024,
	auth,
	deliver,
}) {
	const accepts =
		typeof auth === 'function'
			? auth
			: (user, password) => user === auth.user && password === auth.password;
	const transactions = [];
	const sockets = new Set();

	async function session(socket) {
		const reader = new SocketReader(socket);
		const reply = (line) => socket.write(`${line}\r\n`);
		const readLine = async () => (await reader.readLine(MAX_LINE)).toString('utf8');
		let user = null;
		let envelope = null;

		// AUTH PLAIN [initial] and AUTH LOGIN [initial user name] (RFC 4616, and LOGIN's de facto form).
		async function authenticate(argument) {
			const [mechanism = '', initial] = argument.split(/\s+/);
			let name;
			let password;
			if (mechanism.toUpperCase() === 'PLAIN') {
				let response = initial;
				if (response === undefined) {
					reply('334 ');
					response = await readLine();
				}
				if (response === '*') return reply('501 5.0.0 Authentication cancelled');
				[, name, password] = base64Decode(response).split('\0');
			} else if (mechanism.toUpperCase() === 'LOGIN') {
				let response = initial;
				if (response === undefined) {
					reply(`334 ${base64Encode('Username:')}`);
					response = await readLine();
				}
				if (response === '*') return reply('501 5.0.0 Authentication cancelled');
				name = base64Decode(response);
				reply(`334 ${base64Encode('Password:')}`);
				response = await readLine();
				if (response === '*') return reply('501 5.0.0 Authentication cancelled');
				password = base64Decode(response);
			} else {
				return reply('504 5.5.4 Unrecognized authentication type');
			}
			if (name === undefined || password === undefined || !accepts(name, password)) {
				return reply('535 5.7.8 Authentication credentials invalid');
			}
			user = name;
			reply('235 2.7.0 Authentication successful');
		}

		// The message after DATA's 354, up to the line holding only a dot, dot-unstuffed.
		async function readData() {
			const lines = [];
			let size = 0;
			for (;;) {
				let line = await reader.readLine(MAX_LINE);
				if (line.length === 1 && line[0] === 0x2e) break;
				if (line[0] === 0x2e) line = line.subarray(1);
				size += line.length + 2;
				if (size <= maxSize) lines.push(line, Buffer.from('\r\n'));
			}
			return { data: Buffer.concat(lines), size };
		}

		reply(`220 ${hostname} ESMTP test mail endpoint`);
		for (;;) {
			const line = await readLine();
			const [, verb = '', argument = ''] = /^(\S*)\s*(.*)$/.exec(line);
			switch (verb.toUpperCase()) {
				case 'EHLO':
					envelope = null;
					reply(`250-${hostname} Hello ${argument}`);
					reply('250-8BITMIME');
					reply('250-SMTPUTF8');
					reply(`250-SIZE ${maxSize}`);
					reply('250 AUTH PLAIN LOGIN');
					break;
				case 'HELO':
					envelope = null;
					reply(`250 ${hostname}`);
					break;
				case 'AUTH':
					if (user !== null) reply('503 5.5.1 Already authenticated');
					else await authenticate(argument);
					break;
				case 'MAIL': {
					const path = parsePath(argument, 'FROM');
					if (user === null) reply('530 5.7.0 Authentication required');
					else if (envelope) reply('503 5.5.1 Nested MAIL command');
					else if (!path) reply('501 5.5.4 Syntax: MAIL FROM:<address>');
					else if (Number(path.params.SIZE) > maxSize)
						reply('552 5.3.4 Message size exceeds fixed limit');
					else {
						envelope = { from: path.address, to: [] };
						reply('250 2.1.0 Ok');
					}
					break;
				}
				case 'RCPT': {
					const path = parsePath(argument, 'TO');
					if (!envelope) reply('503 5.5.1 Need MAIL command');
					else if (!path || !path.address.includes('@'))
						reply('501 5.1.3 Syntax: RCPT TO:<address>');
					else {
						envelope.to.push(path.address);
						reply('250 2.1.5 Ok');
					}
					break;
				}
				case 'DATA': {
					if (!envelope?.to.length) {
						reply('503 5.5.1 Need RCPT command');
						break;
					}
					reply('354 End data with <CR><LF>.<CR><LF>');
					const { data, size } = await readData();
					const { from, to } = envelope;
					envelope = null;
					if (size > maxSize) {
						reply('552 5.3.4 Message size exceeds fixed limit');
						break;
					}
					try {
						await deliver({ from, to, data });
					} catch (error) {
						reply(`451 4.3.0 Delivery failed: ${String(error.message).replace(/\s+/g, ' ')}`);
						break;
					}
					transactions.push({ from, to, raw: data.toString('utf8'), user, time: new Date() });
					reply(`250 2.0.0 Ok: queued as ${randomUUID()}`);
					break;
				}
				case 'RSET':
					envelope = null;
					reply('250 2.0.0 Ok');
					break;
				case 'NOOP':
					reply('250 2.0.0 Ok');
					break;
				case 'QUIT':
					reply('221 2.0.0 Bye');
					socket.end();
					return;
				case '':
					reply('500 5.5.2 Syntax error, command unrecognized');
					break;
				default:
					reply('502 5.5.2 Command not implemented');
			}
		}
	}

	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
		socket.on('close', () => sockets.delete(socket));
		session(socket).catch(() => socket.destroy());
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});

	return {
		host,
		port: server.address().port,
		transactions: () => transactions.slice(),
		stop: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}
