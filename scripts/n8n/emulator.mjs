// Runs the Kaleyra emulator (emulator/cli.mjs) as its own process on 127.0.0.1, so that
// n8n, another process, can call it; its control API lets the caller read what it received.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from './targets.mjs';

const READY_LINE = /^KALEYRA_EMULATOR_URL=(\S+)$/m;

/**
 * `dialect`: the CLI's `--dialect` text (`axis=value,axis=value`; empty is the default dialect).
 * @returns {Promise<{ url: string, pageUrl: string, requests(): Promise<any[]>, otps(phone?: string): Promise<any[]>, dialect(): Promise<object>, setDialect(partial: object): Promise<object>, updateNumber(id: string, changes: object): Promise<object>, setFaults(cfg: object): Promise<void>, reset(): Promise<void>, stop(): Promise<void> }>}
 */
export async function startEmulator({ port = 0, dialect = '' } = {}) {
	const child = spawn(
		process.execPath,
		[path.join(projectRoot, 'emulator/cli.mjs'), '--port', String(port), '--dialect', dialect],
		{
			stdio: ['ignore', 'pipe', 'inherit'],
		},
	);
	const url = await new Promise((resolve, reject) => {
		let out = '';
		child.stdout.on('data', (chunk) => {
			out += chunk;
			const match = READY_LINE.exec(out);
			if (match) resolve(match[1]);
		});
		child.once('exit', (code) =>
			reject(new Error(`emulator exited with code ${code} before it was ready: ${out}`)),
		);
	});
	const control = async (method, name, body) => {
		const res = await fetch(`${url}/__emulator/${name}`, { method, body });
		if (!res.ok) throw new Error(`emulator control ${method} ${name}: HTTP ${res.status}`);
		return await res.json();
	};
	return {
		url,
		// The page a person reads the OTPs on, as their phone would show them.
		pageUrl: `${url}/__emulator/`,
		requests: () => control('GET', 'requests'),
		/**
		 * The OTP messages sent since the last reset, oldest first; one number's if given. Each
		 * code sent replaces the number's previous one: the last message holds the code to type.
		 */
		otps: (phone) =>
			control('GET', phone === undefined ? 'otps' : `otps?phone=${encodeURIComponent(phone)}`),
		dialect: () => control('GET', 'dialect'),
		/** Changes the axes given (see emulator/README.md); answers the full dialect. */
		setDialect: (partial) => control('POST', 'dialect', JSON.stringify(partial)),
		/** Sets a number's { status, nameStatus, qualityRating, limit }; answers the number. */
		updateNumber: (id, changes) => control('POST', `numbers/${id}`, JSON.stringify(changes)),
		setFaults: async (cfg) => {
			await control('POST', 'faults', JSON.stringify(cfg));
		},
		reset: async () => {
			await control('POST', 'reset');
		},
		stop: () =>
			new Promise((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			}),
	};
}
