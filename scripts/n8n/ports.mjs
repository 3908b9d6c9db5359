// Loopback ports: a free one to give a process, and whether anything still listens on one.
import net from 'node:net';

/** A port nothing listens on at this moment, on 127.0.0.1. */
export function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** `count` distinct free ports (held open together, so none is handed out twice). */
export async function freePorts(count) {
	const servers = [];
	try {
		for (let i = 0; i < count; i++) {
			const server = net.createServer();
			await new Promise((resolve, reject) => {
				server.once('error', reject);
				server.listen(0, '127.0.0.1', resolve);
			});
			servers.push(server);
		}
		return servers.map((server) => server.address().port);
	} finally {
		await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
	}
}

/** Whether a TCP connection to 127.0.0.1:port is accepted. */
export function isListening(port, timeoutMs = 1000) {
	return new Promise((resolve) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		const done = (answer) => {
			socket.destroy();
			resolve(answer);
		};
		socket.setTimeout(timeoutMs, () => done(true));
		socket.once('connect', () => done(true));
		socket.once('error', () => done(false));
	});
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns something truthy; throws after `timeoutMs`. */
export async function waitFor(check, { timeoutMs, everyMs = 500, what }) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(everyMs);
	}
}
