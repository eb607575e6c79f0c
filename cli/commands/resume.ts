/** `order-pipeline resume`: restart delivery after `pause`; the queue drains. */
import { runDelivery } from '../delivery-control.ts';

export const summary = 'restart delivery to the processor after pause; queued files drain';

export const run = (argv: string[]): Promise<number> => runDelivery('resume', argv);
