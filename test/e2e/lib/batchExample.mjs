// The batch example run from n8n's editor as a user runs it: open the workflow, Execute
// workflow, wait until each of the node's outputs carried its 4 items.

/** Runs the saved batch workflow `workflowId` in `page`; returns the canvas's edge labels, sorted. */
export async function runBatchExampleInEditor(page, baseUrl, workflowId) {
	await page.goto(`${baseUrl}/workflow/${workflowId}`);
	await page.locator('[data-test-id="canvas-node"][data-node-name="Needs attention"]').waitFor();
	await page.locator('[data-test-id="execute-workflow-button"]').click();
	// Edge labels count the items each connection carried; wait for the node's two outputs.
	await page.waitForFunction(
		() =>
			[...document.querySelectorAll('[data-test-id="edge-label"]')].filter((label) =>
				/^4 items$/.test(label.textContent.trim()),
			).length === 2,
		undefined,
		{ timeout: 60_000 },
	);
	return (await page.locator('[data-test-id="edge-label"]').allInnerTexts()).sort();
}
