// A long-running child process whose output is kept and passed on as it comes: n8n, its
// workers, Redis. Each caller adds its own readiness check and way of stopping.
import { spawn } from 'node:child_process';

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, detached?: boolean, log?: (chunk: string) => void }} opts
 *   detached: its own process group, so a signal to -pid also ends what it starts.
 * @returns {{ child: import('node:child_process').ChildProcess, output: () => string,
 *   exited: Promise<number | string> }} exited resolves with the exit code, or the signal's name.
 */
export function spawnLogged(command, args, { env, detached = false, log = () => {} } = {}) {
	const child = spawn(command, args, { env, detached, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const collect = (chunk) => {
		output += chunk;
		log(String(chunk));
	};
	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	const exited = new Promise((resolve) =>
		child.once('exit', (code, signal) => resolve(code ?? signal)),
	);
	return { child, output: () => output, exited };
}
