/**
 * How a failed poll is thrown: n8n saves it as a failed execution (and, at activation, shows
 * it), so it says what failed and what to do. Built only from the node's own words and
 * Kaleyra's code and message, already cleared of the API key.
 */
import type { IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

export interface PollProblem {
	/** Kaleyra's code, or the package's own (NETWORK_ERROR, INVALID_RESPONSE …). */
	code: string;
	message: string;
	hint: string;
	/** The HTTP status of the answer, when one came. */
	httpStatus: number | null;
}

/** `what` says which read failed: "list the numbers of WABA …", "read the details of +91…". */
export function pollError(
	fns: IPollFunctions,
	what: string,
	problem: PollProblem,
): NodeApiError | NodeOperationError {
	const message = `Could not ${what}: ${problem.message} (${problem.code})`;
	const description = `${problem.hint} Nothing was reported from this poll; the next poll that succeeds reports every change since the last one.`;
	// With its HTTP status, n8n tells an authentication failure (401) or a rate limit (429)
	// apart from other failed polls.
	if (problem.httpStatus !== null)
		return new NodeApiError(
			fns.getNode(),
			{
				code: problem.code,
				message: problem.message,
				httpStatus: problem.httpStatus,
			} as JsonObject,
			{ message, description, httpCode: String(problem.httpStatus) },
		);
	return new NodeOperationError(fns.getNode(), message, { description });
}
