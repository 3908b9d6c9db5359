// The environment a headless n8n runs with here: no call leaves the machine, it listens on
// loopback only, and all its state lives in one throw-away user folder.
import path from 'node:path';

// Each of these features would otherwise reach out to n8n's servers at start or on a timer.
const OFFLINE = {
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_DYNAMIC_BANNERS_ENABLED: 'false',
	N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
	N8N_VERIFIED_PACKAGES_ENABLED: 'false',
};

/**
 * @param {ReturnType<import('./targets.mjs').resolveTarget>} target
 * @param {{ userFolder: string, port?: number, brokerPort?: number }} opts
 */
export function n8nEnv(target, { userFolder, port = 5678, brokerPort = 5679 }) {
	// Set by node:test in its test files' processes; n8n is no test file.
	const { NODE_TEST_CONTEXT, ...inherited } = process.env;
	return {
		...inherited,
		// n8n's own Node first: its child processes (task runners) must use it too.
		PATH: `${path.dirname(target.nodeBin)}${path.delimiter}${process.env.PATH}`,
		...OFFLINE,
		...target.env,
		N8N_USER_FOLDER: userFolder,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(port),
		// A second n8n (an `execute` beside a running `start`) needs its own task-broker port.
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		// The editor is served over plain http on loopback.
		N8N_SECURE_COOKIE: 'false',
		// The temp user folder's config file is made with the default umask; n8n would warn.
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		// `n8n execute` prints the run data through its logger at info level: never lower.
		N8N_LOG_LEVEL: 'info',
	};
}
