// The email onboarding example (examples/onboarding-email.json) keeps who is onboarding which
// number in an n8n data table, which only a running n8n can make. So it is published after
// `n8n start`, through the REST API, as a person does it in the editor: make the table, point
// the Data table nodes at it (n8n 1.x finds a table by id only; 2.x by the name the example
// gives), publish.
export const EMAIL_EXAMPLE_ID = 'kaleyraOnboard03';
export const ONBOARDING_TABLE = 'kaleyra_onboarding';
const COLUMNS = [
	...['email', 'phoneNumber', 'phoneNumberId', 'wabaId', 'token'].map((name) => ({
		name,
		type: 'string',
	})),
	...['newCodes', 'numberCodes', 'guesses', 'version', 'lastCodeAt', 'lastAnswerAt'].map(
		(name) => ({ name, type: 'number' }),
	),
];

/** The example's "Limits" node with some of its values replaced (e.g. `{ minSecondsBetweenCodes: 2 }`). */
function withLimits(node, limits) {
	const assignments = node.parameters.assignments.assignments.map((assignment) =>
		assignment.name in limits ? { ...assignment, value: limits[assignment.name] } : assignment,
	);
	return { ...node, parameters: { ...node.parameters, assignments: { assignments } } };
}

/**
 * Makes the data table and publishes the example; returns the table ({ id, name }). `limits`
 * replaces values of its "Limits" node, as a user tunes them (the e2e shortens the waits).
 */
export async function publishEmailExample(rest, target, { limits } = {}) {
	const project = await rest.get('/projects/personal');
	const table = await rest.post(`/projects/${project.id}/data-tables`, {
		name: ONBOARDING_TABLE,
		columns: COLUMNS,
	});
	let workflow = await rest.get(`/workflows/${EMAIL_EXAMPLE_ID}`);
	const byId = target.n8n.startsWith('1.');
	if (byId || limits) {
		const nodes = workflow.nodes.map((node) => {
			if (limits && node.name === 'Limits') return withLimits(node, limits);
			if (byId && node.type === 'n8n-nodes-base.dataTable')
				return {
					...node,
					parameters: {
						...node.parameters,
						dataTableId: { __rl: true, mode: 'id', value: table.id },
					},
				};
			return node;
		});
		workflow = await rest.patch(`/workflows/${EMAIL_EXAMPLE_ID}`, {
			versionId: workflow.versionId,
			nodes,
		});
	}
	await rest.post(`/workflows/${EMAIL_EXAMPLE_ID}/activate`, { versionId: workflow.versionId });
	return table;
}
