/** One request's tries: paced, logged, repeated as the retry policy allows, stopped by Stop. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { logRequestLeaving } from '../helpers/requestLog';
import type { Delivery, KaleyraAccount, KaleyraCall } from '../transport/kaleyraRequest';
import { sendKaleyraCall } from '../transport/kaleyraRequest';
import type { RetrySettings } from './retryPolicy';
import { retryVerdict } from './retryPolicy';
import type { Pacer } from './scheduler';
import { pause } from './scheduler';

/** The last try's delivery and how many tries were sent; undefined when Stop came first. */
export type Sent = { delivery: Delivery; attempt: number } | undefined;

export async function sendWithRetries(
	fns: IExecuteFunctions,
	run: { account: KaleyraAccount; pacer: Pacer; stop?: AbortSignal },
	item: { context: IDataObject; itemIndex: number },
	call: KaleyraCall,
	retry: RetrySettings,
): Promise<Sent> {
	let last: Sent;
	for (let attempt = 1; ; attempt++) {
		await run.pacer.wait(run.stop);
		// After a Stop no request leaves; an item stopped during a retry wait keeps what it got.
		if (run.stop?.aborted) break;
		logRequestLeaving(fns, item.context, item.itemIndex, attempt);
		const delivery = await sendKaleyraCall.call(fns, run.account, call, run.stop);
		last = { delivery, attempt };
		const verdict = retryVerdict(delivery, attempt, retry);
		if (!verdict.retry || run.stop?.aborted) break;
		await pause(verdict.delayMs, run.stop);
	}
	return last;
}
