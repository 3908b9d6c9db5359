/**
 * One line in n8n's log as each request leaves for Kaleyra. n8n keeps no record of what an
 * execution sent when its worker dies; the worker's log does, line by line, as it goes.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/**
 * A field of the output item's context that the line names: what names the number a request is
 * about, never the OTP (not even masked), nor the credential. Each FieldSpec says whether it is one.
 */
export interface LoggedField {
	name: string;
	/** The phone number: shown as maskPhoneNumber gives it. */
	masked: boolean;
}

// Digits kept on each side of a masked phone number: the country code's start and the end.
const SHOWN_LEADING_DIGITS = 2;
const SHOWN_TRAILING_DIGITS = 2;

/**
 * A phone number as the log shows it, `+91********01`: enough to tell the numbers of a batch
 * apart, not enough to call anyone. The log is kept at info, n8n's default level, and read by
 * whoever runs the server, who need not see whom the business onboards.
 */
export function maskPhoneNumber(phoneNumber: string): string {
	const digits = phoneNumber.replace(/^\+/, '');
	const hidden = digits.length - SHOWN_LEADING_DIGITS - SHOWN_TRAILING_DIGITS;
	if (hidden <= 0) return '*'.repeat(phoneNumber.length);
	return `+${digits.slice(0, SHOWN_LEADING_DIGITS)}${'*'.repeat(hidden)}${digits.slice(-SHOWN_TRAILING_DIGITS)}`;
}

/** What every line of one run of the node repeats. */
interface RunFacts {
	executionId: string;
	node: string;
	/** The node's name as the message quotes it. */
	quotedNode: string;
	runIndex: number;
}

// Read once per run (n8n hands each run of the node its own functions object): getNode()
// deep-copies the node and getWorkflowDataProxy() builds n8n's whole expression proxy, too much
// for every request of a bulk run (bench/investigate.mjs's profile).
const factsOfRun = new WeakMap<IExecuteFunctions, RunFacts>();

function runFacts(fns: IExecuteFunctions, itemIndex: number): RunFacts {
	let facts = factsOfRun.get(fns);
	if (!facts) {
		const node = fns.getNode().name;
		facts = {
			executionId: fns.getExecutionId(),
			node,
			quotedNode: JSON.stringify(node),
			// Which run of the node: an agent that calls the same tool twice runs it twice in one execution.
			runIndex: Number(fns.getWorkflowDataProxy(itemIndex).$runIndex ?? 0),
		};
		factsOfRun.set(fns, facts);
	}
	return facts;
}

export function logRequestLeaving(
	fns: IExecuteFunctions,
	context: IDataObject,
	logged: readonly LoggedField[],
	itemIndex: number,
	attempt: number,
): void {
	const { executionId, node, quotedNode, runIndex } = runFacts(fns, itemIndex);
	const named: IDataObject = {};
	let fields = '';
	for (const { name, masked } of logged) {
		const value = context[name];
		if (value === undefined || value === null || value === '') continue;
		named[name] = masked ? maskPhoneNumber(String(value)) : value;
		fields += `, ${name} ${String(named[name])}`;
	}
	// n8n's default log format prints the message alone, so it says everything; with
	// N8N_LOG_FORMAT=json the same facts come as fields too. Info: debug lines are hidden by default.
	fns.logger.info(
		`Kaleyra ${String(context.operation)} request leaving: execution ${executionId}, node ${quotedNode}, run ${runIndex}, item ${itemIndex}, attempt ${attempt}${fields}`,
		{ executionId, node, runIndex, itemIndex, attempt, operation: context.operation, ...named },
	);
}
