// Reading a line protocol (SMTP, LMTP, IMAP) off a socket: whole lines, or an exact number of
// bytes (an IMAP literal), as Buffers, so byte counts stay right whatever the text's encoding.
import net from 'node:net';

export class SocketReader {
	/** @param {import('node:net').Socket} socket */
	constructor(socket) {
		this.buffer = Buffer.alloc(0);
		this.failure = null;
		this.wake = () => {};
		socket.on('data', (chunk) => {
			this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
			this.wake();
		});
		const fail = (error) => {
			this.failure ??= error;
			this.wake();
		};
		socket.on('error', fail);
		socket.on('end', () => fail(new Error('connection closed by the other side')));
		socket.on('close', () => fail(new Error('connection closed')));
	}

	more() {
		if (this.failure) return Promise.reject(this.failure);
		return new Promise((resolve) => {
			this.wake = resolve;
		});
	}

	/**
	 * The next line without its line break (CRLF; a bare LF is taken as one too).
	 * @param {number} [maxLength] throws once this many bytes came without a line break.
	 * @returns {Promise<Buffer>}
	 */
	async readLine(maxLength = Infinity) {
		for (;;) {
			const end = this.buffer.indexOf(0x0a);
			if (end >= 0) {
				const line = this.buffer.subarray(
					0,
					end > 0 && this.buffer[end - 1] === 0x0d ? end - 1 : end,
				);
				this.buffer = this.buffer.subarray(end + 1);
				return line;
			}
			if (this.buffer.length > maxLength) throw new Error(`line longer than ${maxLength} bytes`);
			await this.more();
		}
	}

	/** Exactly `count` bytes. @returns {Promise<Buffer>} */
	async readBytes(count) {
		while (this.buffer.length < count) await this.more();
		const bytes = this.buffer.subarray(0, count);
		this.buffer = this.buffer.subarray(count);
		return bytes;
	}
}

/**
 * A TCP connection with a reader on it, once connected. Any silence longer than timeoutMs
 * ends it, so a server that stops answering fails the caller instead of holding it.
 * @returns {Promise<{ socket: import('node:net').Socket, reader: SocketReader }>}
 */
export function connect({ host, port, timeoutMs = 10_000 }) {
	return new Promise((resolve, reject) => {
		const socket = net.connect({ host, port });
		const reader = new SocketReader(socket);
		socket.setTimeout(timeoutMs, () =>
			socket.destroy(new Error(`${host}:${port} did not answer within ${timeoutMs} ms`)),
		);
		socket.once('error', reject);
		socket.once('connect', () => {
			socket.off('error', reject);
			resolve({ socket, reader });
		});
	});
}
