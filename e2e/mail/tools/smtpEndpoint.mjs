// The SMTP endpoint on 127.0.0.1 that n8n's Send Email (nodemailer) sends through, on
// smtp-server: plain text (no STARTTLS), AUTH PLAIN or LOGIN before any mail. Each message is
// handed on by `deliver` before DATA is answered 250, so once Send Email returns, the mail is in
// the mailbox.
import { SMTPServer } from 'smtp-server';

const withCode = (message, responseCode) => Object.assign(new Error(message), { responseCode });

/**
 * @param {{ host?: string, port?: number, hostname?: string, maxSize?: number,
 *   auth: (user: string, password: string) => boolean,
 *   deliver: (message: { from: string, to: string[], data: Buffer, user: string }) => Promise<unknown> }} opts
 *   auth: whether a user name and password may send. deliver: its failure answers DATA with 451
 *   and its reason.
 * @returns {Promise<{ host: string, port: number, stop(): Promise<void> }>}
 */
export async function startSmtpEndpoint({
	host = '127.0.0.1',
	port = 0,
	hostname = 'mail.example.test',
	maxSize = 25 * 1024 * 1024,
	auth,
	deliver,
}) {
	const server = new SMTPServer({
		name: hostname,
		banner: 'test mail endpoint',
		logger: false,
		disabledCommands: ['STARTTLS'],
		authMethods: ['PLAIN', 'LOGIN'],
		allowInsecureAuth: true,
		size: maxSize,
		rejectOversized: true,
		// stop() ends open connections at once, as a test's teardown wants.
		closeTimeout: 1,
		onAuth({ username, password }, _session, callback) {
			if (auth(username, password)) callback(null, { user: username });
			else callback(withCode('Authentication credentials invalid', 535));
		},
		onData(stream, session, callback) {
			const chunks = [];
			stream.on('data', (chunk) => chunks.push(chunk));
			stream.on('end', () => {
				if (stream.sizeExceeded) return callback(null);
				deliver({
					from: session.envelope.mailFrom.address,
					to: session.envelope.rcptTo.map((recipient) => recipient.address),
					data: Buffer.concat(chunks),
					user: session.user,
				}).then(
					() => callback(null, 'Delivered'),
					(error) => callback(withCode(`Delivery failed: ${error.message}`, 451)),
				);
			});
		},
	});
	await new Promise((resolve, reject) => {
		server.server.once('error', reject);
		server.listen(port, host, resolve);
	});
	return {
		host,
		port: server.server.address().port,
		stop: () => new Promise((resolve) => server.close(resolve)),
	};
}
