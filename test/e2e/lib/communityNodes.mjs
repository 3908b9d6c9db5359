// n8n's Settings → Community Nodes screen, driven as a person does (n8n 1.x and 2.x alike), and
// what n8n's installer leaves in the user folder.
import fs from 'node:fs';
import path from 'node:path';

const card = (page, name) =>
	page.locator('[data-test-id="community-package-card"]', { hasText: name });

/**
 * Settings → Community Nodes → Install: the name typed, the risk accepted; `install()` presses
 * Install and waits for the package's card. `spec`: the package's name, or name@version.
 */
export async function installFromSettings(page, baseUrl, spec) {
	const packageName = spec.replace(/(.)@.*$/, '$1');
	await page.goto(`${baseUrl}/settings/community-nodes`);
	// The empty page's "Install a community node", or the header's "Install" once a package is there.
	await page
		.getByRole('button', { name: /^Install( a community node)?$/ })
		.first()
		.click();
	const modal = page.locator('[data-test-id="communityPackageInstall-modal"]');
	await modal.locator('input').first().fill(spec);
	await page.locator('[data-test-id="user-agreement-checkbox"]').click();
	return {
		modal,
		install: async () => {
			await page.locator('[data-test-id="install-community-package-button"]').click();
			await modal.waitFor({ state: 'hidden', timeout: 120_000 });
			await card(page, packageName).waitFor();
		},
	};
}

/** The package's card offers an update (n8n asks the registry when the page loads): take it. */
export async function updateFromSettings(page, baseUrl, packageName) {
	await page.goto(`${baseUrl}/settings/community-nodes`);
	const update = card(page, packageName).getByRole('button', { name: /update/i });
	await update.waitFor();
	await update.click();
	const confirm = page.locator('[data-test-id="communityPackageManageConfirm-modal"]');
	await confirm.getByRole('button', { name: 'Confirm update' }).click();
	await confirm.waitFor({ state: 'hidden', timeout: 120_000 });
}

/** Every path below `dir`, relative and sorted, not descending into `dist` (the package's files). */
export function listTree(dir) {
	const walk = (sub) =>
		fs.readdirSync(path.join(dir, sub), { withFileTypes: true }).flatMap((entry) => {
			const rel = path.posix.join(sub, entry.name);
			if (!entry.isDirectory()) return [rel];
			return entry.name === 'dist' ? [`${rel}/`] : [`${rel}/`, ...walk(rel)];
		});
	return walk('').sort();
}
