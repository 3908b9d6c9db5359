/**
 * One line in n8n's log as each request leaves for Kaleyra. n8n keeps no record of what an
 * execution sent when its worker dies; the worker's log does, line by line, as it goes.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

// What names the number a request is about: never the OTP (not even masked), nor the credential.
const NAMING_FIELDS = ['phoneNumber', 'phoneNumberId', 'wabaId', 'countryCode', 'channel'];

export function logRequestLeaving(
	fns: IExecuteFunctions,
	context: IDataObject,
	itemIndex: number,
	attempt: number,
): void {
	const executionId = fns.getExecutionId();
	const node = fns.getNode().name;
	// Which run of the node: an agent that calls the same tool twice runs it twice in one execution.
	const runIndex = Number(fns.getWorkflowDataProxy(itemIndex).$runIndex ?? 0);
	const named: IDataObject = {};
	for (const field of NAMING_FIELDS) {
		const value = context[field];
		if (value !== undefined && value !== null && value !== '') named[field] = value;
	}
	const fields = Object.entries(named)
		.map(([name, value]) => `, ${name} ${String(value)}`)
		.join('');
	// n8n's default log format prints the message alone, so it says everything; with
	// N8N_LOG_FORMAT=json the same facts come as fields too. Info: debug lines are hidden by default.
	fns.logger.info(
		`Kaleyra ${String(context.operation)} request leaving: execution ${executionId}, node ${JSON.stringify(node)}, run ${runIndex}, item ${itemIndex}, attempt ${attempt}${fields}`,
		{ executionId, node, runIndex, itemIndex, attempt, operation: context.operation, ...named },
	);
}
