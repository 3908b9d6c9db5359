// Where the pinned Verdaccio is installed: beside the pinned n8n installs (targets.mjs).
import path from 'node:path';
import { e2eRoot } from '../n8n/targets.mjs';

// 6.8.0 is the newest Verdaccio that runs on Node 20 (6.9 and later want Node 22).
export const VERDACCIO_VERSION = '6.8.0';

export function verdaccioInstall() {
	const dir = path.join(e2eRoot(), `verdaccio-${VERDACCIO_VERSION}`);
	return {
		version: VERDACCIO_VERSION,
		dir,
		bin: path.join(dir, 'node_modules', 'verdaccio', 'bin', 'verdaccio'),
	};
}
