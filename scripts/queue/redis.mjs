// A throw-away Redis: Debian's redis-server on 127.0.0.1 and a free port, no persistence, its
// working folder inside the caller's temporary folder. Stopped with SIGTERM.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, sleep } from '../n8n/ports.mjs';
import { spawnLogged } from '../n8n/spawnLogged.mjs';

const READY_TIMEOUT_MS = 20_000;

/** Sends one inline command; resolves with Redis's first reply line. */
export function redisCommand(port, command) {
	return new Promise((resolve, reject) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		let reply = '';
		socket.setTimeout(2000, () => socket.destroy(new Error('redis did not answer')));
		socket.once('connect', () => socket.write(`${command}\r\n`));
		socket.on('data', (chunk) => {
			reply += chunk;
			if (reply.includes('\r\n')) {
				socket.end();
				resolve(reply.split('\r\n')[0]);
			}
		});
		socket.once('error', reject);
	});
}

/**
 * @param {{ redisServer: string, dir: string, log?: (chunk: string) => void }} opts
 * @returns {Promise<{ port: number, pid: number, stop(): Promise<void>, output(): string }>}
 */
export async function startRedis({ redisServer, dir, log = () => {} }) {
	const port = await freePort();
	const workDir = path.join(dir, 'redis');
	fs.mkdirSync(workDir, { recursive: true });
	const { child, output, exited } = spawnLogged(
		redisServer,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			workDir,
			'--daemonize',
			'no',
			'--protected-mode',
			'yes',
		],
		{ log },
	);
	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		child.kill('SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
		await exited;
		clearTimeout(timer);
	};

	const deadline = Date.now() + READY_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (child.exitCode !== null)
			throw new Error(`redis-server exited with code ${child.exitCode}\n${output()}`);
		try {
			if ((await redisCommand(port, 'PING')) === '+PONG') {
				return { port, pid: child.pid, stop, exited, output };
			}
		} catch {
			// Not listening yet.
		}
		await sleep(200);
	}
	await stop();
	throw new Error(`redis-server did not answer PING within ${READY_TIMEOUT_MS} ms\n${output()}`);
}
