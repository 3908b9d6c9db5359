// A long step a person waits for (installing n8n, compiling its native modules): a line every
// few seconds with the elapsed time and, where it helps, how much is on disk so far, so that
// minutes of work never look like a hang.
import { execFile, spawn } from 'node:child_process';

const EVERY_MS = 15_000;

/** "1m30s", "45s". */
export function formatElapsed(ms) {
	const seconds = Math.round(ms / 1000);
	return seconds < 60
		? `${seconds}s`
		: `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** The size of `dir` in MB as `du` counts it, or null where `du` cannot tell. */
function diskMegabytes(dir) {
	return new Promise((resolve) => {
		execFile('du', ['-sk', dir], (error, stdout) =>
			resolve(error ? null : Math.round(Number.parseInt(stdout, 10) / 1024)),
		);
	});
}

/**
 * Runs `cmd args` with its output passed through, printing `[tag] label: 1m30s, 812 MB so far…`
 * every 15 s (the size only with `sizeOf`). Resolves with the exit code.
 * @param {{ tag: string, label: string, cwd: string, env: NodeJS.ProcessEnv, sizeOf?: string }} opts
 */
export function runWithProgress(cmd, args, { tag, label, cwd, env, sizeOf }) {
	const started = Date.now();
	console.log(`[${tag}] ${label}…`);
	const child = spawn(cmd, args, { cwd, env, stdio: 'inherit' });
	const ticker = setInterval(async () => {
		const size = sizeOf ? await diskMegabytes(sizeOf) : null;
		const elapsed = formatElapsed(Date.now() - started);
		console.log(`[${tag}] ${label}: ${elapsed}${size === null ? '' : `, ${size} MB so far`}…`);
	}, EVERY_MS);
	return new Promise((resolve, reject) => {
		child.once('error', (error) => {
			clearInterval(ticker);
			reject(error);
		});
		child.once('exit', (code, signal) => {
			clearInterval(ticker);
			resolve(code ?? signal);
		});
	});
}
