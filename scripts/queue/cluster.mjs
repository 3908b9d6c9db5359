// n8n in queue mode on this machine, all on 127.0.0.1: a throw-away PostgreSQL and Redis, the
// Kaleyra emulator, one `n8n start` (main: webhooks, editor, REST) and `n8n worker` processes,
// each n8n with its own user folder, ports and the packed package installed as a community
// package (or, on request, a worker without it). Everything lives in one temporary folder that
// stop() removes, after stopping every process it started.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { activateWorkflow, importCredentials, importWorkflows } from '../n8n/cli.mjs';
import { kaleyraCredential } from '../n8n/credentials.mjs';
import { startEmulator } from '../n8n/emulator.mjs';
import { n8nEnv } from '../n8n/env.mjs';
import { installIntoUserFolder } from '../n8n/package.mjs';
import { restClient } from '../n8n/rest.mjs';
import { startN8n } from '../n8n/server.mjs';
import { resolveTarget } from '../n8n/targets.mjs';
import { freePorts, isListening } from '../n8n/ports.mjs';
import { startPostgres } from './postgres.mjs';
import { startRedis } from './redis.mjs';
import { ensureServices } from './services.mjs';
import { startWorker } from './worker.mjs';

/**
 * The environment every process of one queue-mode installation shares: queue mode, one
 * encryption key, the same database and Redis, and manual runs sent to the workers too.
 */
export function queueEnv({ encryptionKey, postgres, redis }) {
	return {
		EXECUTIONS_MODE: 'queue',
		N8N_ENCRYPTION_KEY: encryptionKey,
		...postgres.env,
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// A worker with nothing to finish exits at once; one with running executions gets this long.
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '20',
	};
}

/**
 * @param {{
 *   tarball: string,
 *   workers?: number,
 *   concurrency?: number,
 *   workflows?: object[],
 *   publish?: string[],
 *   credentials?: (emulatorUrl: string) => object[],
 *   say?: (line: string) => void,
 * }} opts
 */
export async function startQueueCluster({
	tarball,
	workers: workerCount = 2,
	concurrency = 10,
	workflows = [],
	publish = [],
	credentials = (url) => [kaleyraCredential(url)],
	say = () => {},
}) {
	const target = resolveTarget();
	const services = ensureServices();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-queue-'));
	const logDir = path.join(dir, 'logs');
	fs.mkdirSync(logDir);
	const logFiles = new Map();
	const logTo = (name) => {
		const file = path.join(logDir, `${name}.log`);
		logFiles.set(name, file);
		return (chunk) => fs.appendFileSync(file, chunk);
	};
	const started = [];
	const ports = new Set();
	const cluster = {
		dir,
		target,
		main: null,
		workers: [],
		postgres: null,
		redis: null,
		emulator: null,
		rest: null,
		/** Every port any process of the cluster was given (all must be closed after stop). */
		ports,
		/** name -> log file (main, worker-1, worker-2, …, redis; Postgres's is postgres.logFile). */
		logFiles,
		readLogs: () =>
			Object.fromEntries(
				[...logFiles, ['postgres', cluster.postgres?.logFile]]
					.filter(([, file]) => file && fs.existsSync(file))
					.map(([name, file]) => [name, fs.readFileSync(file, 'utf8')]),
			),
		addWorker: null,
		stop: null,
	};

	let stopped = false;
	cluster.stop = async ({ keepFolder = false } = {}) => {
		if (stopped) return;
		stopped = true;
		const errors = [];
		// Workers first (nothing new gets taken), then main, then what they all depend on.
		for (const stop of [...started].reverse()) {
			try {
				await stop();
			} catch (error) {
				errors.push(error);
			}
		}
		if (!keepFolder) fs.rmSync(dir, { recursive: true, force: true });
		if (errors.length)
			throw new AggregateError(
				errors,
				`stopping the queue cluster: ${errors.map((e) => e.message).join('; ')}`,
			);
	};

	try {
		say('starting PostgreSQL, Redis and the Kaleyra emulator');
		const [postgres, redis, emulator] = await Promise.all([
			startPostgres({ ...services, dir }),
			startRedis({ redisServer: services.redisServer, dir, log: logTo('redis') }),
			startEmulator(),
		]);
		cluster.postgres = postgres;
		cluster.redis = redis;
		cluster.emulator = emulator;
		started.push(
			() => postgres.stop(),
			() => redis.stop(),
			() => emulator.stop(),
		);
		ports
			.add(postgres.port)
			.add(redis.port)
			.add(Number(new URL(emulator.url).port));

		const shared = queueEnv({ encryptionKey: randomBytes(24).toString('hex'), postgres, redis });
		// One n8n process: its folder (with or without the package), its ports, its environment.
		const n8nProcess = async (name, { withPackage = true, worker = false } = {}) => {
			const userFolder = path.join(dir, name);
			fs.mkdirSync(userFolder);
			if (withPackage) installIntoUserFolder(tarball, userFolder);
			const [port, brokerPort, healthPort] = await freePorts(3);
			ports.add(port).add(brokerPort);
			const env = { ...n8nEnv(target, { userFolder, port, brokerPort }), ...shared };
			if (worker) {
				ports.add(healthPort);
				Object.assign(env, {
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(healthPort),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
				});
			}
			return {
				name,
				userFolder,
				port,
				brokerPort,
				healthPort: worker ? healthPort : null,
				n8n: { target, env },
			};
		};

		const main = await n8nProcess('main');
		say('importing the credential and workflows into PostgreSQL');
		const write = (name, value) => {
			const file = path.join(dir, name);
			fs.writeFileSync(file, JSON.stringify(value, null, 2));
			return file;
		};
		await importCredentials(main.n8n, write('credentials.json', credentials(emulator.url)));
		if (workflows.length) await importWorkflows(main.n8n, write('workflows.json', workflows));
		// `n8n publish:workflow` on 2.x: main registers the production webhooks when it starts.
		for (const id of publish) await activateWorkflow(main.n8n, id);
		// Files holding the API key in plain text: gone before any n8n process starts.
		fs.rmSync(path.join(dir, 'credentials.json'));

		say('starting n8n main');
		const server = await startN8n(main.n8n, { port: main.port, log: logTo('main') });
		started.push(() => server.stop());
		cluster.main = { ...main, ...server };
		cluster.rest = restClient(server.url);
		await cluster.rest.setUpOwner();

		let workerNumber = 0;
		cluster.addWorker = async ({ withPackage = true, workerConcurrency = concurrency } = {}) => {
			workerNumber += 1;
			const name = `worker-${workerNumber}${withPackage ? '' : '-no-package'}`;
			const proc = await n8nProcess(name, { withPackage, worker: true });
			const log = logTo(name);
			const handle = { ...proc, withPackage, concurrency: workerConcurrency, runs: 0 };
			// (Re)starts this worker with the same folder, ports and environment, as a restarted
			// container would.
			handle.start = async () => {
				log(`\n==== [queue suite] start ${name} (run ${handle.runs + 1}) ====\n`);
				const { output, ready, ...running } = startWorker(proc.n8n, {
					concurrency: workerConcurrency,
					log,
				});
				handle.runs += 1;
				// Stoppable from here on, even if it never gets ready.
				Object.assign(handle, running, { currentOutput: output });
				await ready;
				return handle;
			};
			/** Everything this worker printed, over all its starts. */
			handle.output = () => fs.readFileSync(logFiles.get(name), 'utf8');
			started.push(() => handle.stop?.());
			cluster.workers.push(handle);
			return await handle.start();
		};
		say(`starting ${workerCount} n8n workers`);
		await Promise.all(Array.from({ length: workerCount }, () => cluster.addWorker()));
		return cluster;
	} catch (error) {
		// A part that did not start: stop whatever did, but keep the folder for its logs.
		await cluster.stop({ keepFolder: true }).catch(() => {});
		const logs = cluster.readLogs();
		const tails = Object.entries(logs)
			.map(
				([name, text]) =>
					`---- ${name} (last lines) ----\n${text.split('\n').slice(-25).join('\n')}`,
			)
			.join('\n');
		fs.rmSync(dir, { recursive: true, force: true });
		error.message = `the queue-mode cluster did not start: ${error.message}\n${tails}`;
		throw error;
	}
}

/** The ports of `cluster` something still listens on (after stop: must be none). */
export async function listeningPorts(cluster) {
	const open = [];
	for (const port of cluster.ports) if (await isListening(port)) open.push(port);
	return open;
}

/**
 * Processes still tied to the cluster's folder (its path in their command line, environment or
 * working directory): n8n processes and their task runners, Postgres, Redis. After stop: none.
 * Linux's /proc; elsewhere an empty list.
 */
export function leftoverProcesses(cluster) {
	const found = [];
	let pids = [];
	try {
		pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
	} catch {
		return found;
	}
	const read = (file) => {
		try {
			return fs.readFileSync(file, 'utf8');
		} catch {
			return '';
		}
	};
	for (const pid of pids) {
		if (Number(pid) === process.pid) continue;
		const cmdline = read(`/proc/${pid}/cmdline`).replaceAll('\0', ' ').trim();
		let cwd = '';
		try {
			cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
		} catch {
			// Gone, or not ours to read.
		}
		if ([cmdline, read(`/proc/${pid}/environ`), cwd].some((text) => text.includes(cluster.dir))) {
			found.push(`${pid} ${cmdline.slice(0, 120)}`);
		}
	}
	return found;
}
